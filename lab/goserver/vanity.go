package main

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
)

// VanityEntry is one path on the go-import host.
type VanityEntry struct {
	// Prefix is the URL path it answers for (and everything below it).
	Prefix string `json:"prefix"`
	// Kind: "meta" (a page with Import as go-import content), "html" (a
	// page without meta tags), "status" (Status with a text/plain Body).
	Kind   string `json:"kind"`
	Import string `json:"import"`
	Status int    `json:"status"`
	Body   string `json:"body"`
}

type vanity struct {
	entries []VanityEntry
}

func newVanity(entries []VanityEntry) *vanity {
	es := append([]VanityEntry(nil), entries...)
	// Longest prefix first.
	sort.Slice(es, func(i, j int) bool { return len(es[i].Prefix) > len(es[j].Prefix) })
	return &vanity{entries: es}
}

func (v *vanity) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, e := range v.entries {
		if r.URL.Path != e.Prefix && !strings.HasPrefix(r.URL.Path, e.Prefix+"/") {
			continue
		}
		switch e.Kind {
		case "meta":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"go-import\" content=\"%s\">\n</head>\n<body>go get %s</body>\n</html>\n",
				html.EscapeString(e.Import), html.EscapeString(r.Host+r.URL.Path))
		case "html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!DOCTYPE html>\n<html>\n<head><title>ACME developer portal</title></head>\n<body>Welcome.</body>\n</html>\n")
		case "status":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(e.Status)
			fmt.Fprint(w, e.Body)
		default:
			http.Error(w, "lab: bad vanity entry kind "+e.Kind, http.StatusInternalServerError)
		}
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, "404 page not found\n")
}
