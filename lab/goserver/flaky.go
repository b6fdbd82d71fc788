package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FlakyConfig names the lab servers the flaky host relays to.
type FlakyConfig struct {
	// Git is the git smart-HTTP server (https://github.com: lighttpd).
	Git string `json:"git"`
	// Proxy is the module proxy (https://proxy.golang.org: goserver).
	Proxy string `json:"proxy"`
}

// flaky relays requests to the lab's real servers and cuts some responses
// short, as a dropped connection or an overloaded load balancer does in the
// middle of a big download: the status line, the headers (with the full
// Content-Length) and half the body go out, then the response is aborted
// (the connection closed under HTTP/1.1, the stream reset under HTTP/2).
// What is cut: git's pack download (an upload-pack POST that asks for
// objects, "want …") and module zips (…/@v/VERSION.zip).  Everything else
// (ref listings, .info, .mod) passes through whole, so the client gets as far
// as a real download.
type flaky struct {
	cfg    FlakyConfig
	client *http.Client
}

func newFlaky(cfg FlakyConfig) *flaky {
	return &flaky{cfg: cfg, client: &http.Client{Timeout: 30 * time.Second}}
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var upstream string
	cut := false
	switch p := r.URL.Path; {
	case strings.Contains(p, "/@v/") || strings.HasSuffix(p, "/@latest"):
		upstream = f.cfg.Proxy
		cut = strings.HasSuffix(p, ".zip")
	case strings.HasSuffix(p, "/info/refs") || strings.HasSuffix(p, "/git-upload-pack"):
		upstream = f.cfg.Git
		cut = r.Method == http.MethodPost && bytes.Contains(plainBody(r, body), []byte("want "))
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "404 page not found\n")
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, h := range []string{"Content-Type", "Content-Encoding", "Accept", "Git-Protocol", "Authorization", "User-Agent"} {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, vs := range resp.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Transfer-Encoding", "Connection", "Content-Encoding":
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(resp.StatusCode)
	if !cut || resp.StatusCode != http.StatusOK {
		w.Write(data)
		return
	}
	at := len(data) / 2
	if upstream == f.cfg.Git {
		at = packCut(data)
	}
	w.Write(data[:at])
	http.NewResponseController(w).Flush()
	log.Printf("flaky: cut %s %s after %d of %d bytes", r.Method, r.URL.RequestURI(), at, len(data))
	panic(http.ErrAbortHandler)
}

// plainBody is a request body without its Content-Encoding (git gzips big
// upload-pack requests).
func plainBody(r *http.Request, body []byte) []byte {
	if r.Header.Get("Content-Encoding") != "gzip" {
		return body
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return body
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return body
	}
	return out
}

// packCut is where an upload-pack response is cut: two bytes into the
// length header of its first pack-data packet (sideband channel 1), so that
// git's complaint does not depend on the pack's size, which varies with the
// client's capabilities (the transcripts stay the same from run to run).
// Half the response when there is no such packet.
func packCut(data []byte) int {
	for i := 0; i+5 <= len(data); {
		n, err := strconv.ParseUint(string(data[i:i+4]), 16, 16)
		if err != nil {
			break
		}
		if n < 4 {
			i += 4 // flush, delim, response-end
			continue
		}
		if data[i+4] == 1 {
			return i + 2
		}
		i += int(n)
	}
	return len(data) / 2
}
