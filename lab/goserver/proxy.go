package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// store holds the modules fetched at start (the proxy's cache).
type store struct {
	mu     sync.RWMutex
	mods   map[string]modResult // key path@version
	byPath map[string][]string  // path -> versions
}

func newStore() *store {
	return &store{mods: make(map[string]modResult), byPath: make(map[string][]string)}
}

func (s *store) warm(up *upstream, queries []string) error {
	if len(queries) == 0 {
		return nil
	}
	rs, err := up.downloadAll(up.cfg.WarmEnv, queries)
	if err != nil {
		return fmt.Errorf("warm-up: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	failed := 0
	for _, r := range rs {
		if r.Error != "" {
			log.Printf("warm-up: %s@%s: %s", r.Path, r.Version, r.Error)
			failed++
			continue
		}
		key := r.Path + "@" + r.Version
		if _, dup := s.mods[key]; !dup {
			s.byPath[r.Path] = append(s.byPath[r.Path], r.Version)
		}
		s.mods[key] = r
	}
	if failed > 0 {
		return fmt.Errorf("warm-up: %d of %d modules failed (see the log above)", failed, len(queries))
	}
	return nil
}

func (s *store) get(path, version string) (modResult, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.mods[path+"@"+version]
	return r, ok
}

func (s *store) versions(path string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.byPath[path]...)
}

func (s *store) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.mods)
}

// proxy serves the GOPROXY protocol.  Two views:
//
//	/<module>/@v/...          public: the store, minus Private paths, else
//	                          the anonymous upstream (real go errors)
//	/private/<module>/@v/...  everything in the store, nothing else (a
//	                          company proxy with access; used by scenario
//	                          set-up to write go.sum files)
type proxy struct {
	cfg   *ProxyConfig
	store *store
	up    *upstream
}

func newProxy(cfg *ProxyConfig, s *store, up *upstream) *proxy {
	return &proxy{cfg: cfg, store: s, up: up}
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/sumdb/") {
		// Like proxy.golang.org: no checksum-database proxying, so go
		// talks to the database directly.
		http.NotFound(w, r)
		return
	}
	public := true
	if rest, ok := strings.CutPrefix(path, "/private/"); ok {
		public = false
		path = "/" + rest
	}
	path = strings.TrimPrefix(path, "/")
	var escMod, what string
	if i := strings.Index(path, "/@v/"); i >= 0 {
		escMod, what = path[:i], path[i+len("/@v/"):]
	} else if strings.HasSuffix(path, "/@latest") {
		escMod, what = strings.TrimSuffix(path, "/@latest"), "@latest"
	} else {
		http.NotFound(w, r)
		return
	}
	mod, err := unescape(escMod)
	if err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	status := http.StatusNotFound
	if matchPrefix(p.cfg.Gone, mod) {
		status = http.StatusGone
	}
	useStore := !public || !matchPrefix(p.cfg.Private, mod)

	switch {
	case what == "list":
		if vs := p.store.versions(mod); useStore && len(vs) > 0 {
			writeList(w, vs)
			return
		}
		if !public {
			notFound(w, status, fmt.Sprintf("module %s: not in this proxy", mod))
			return
		}
		res := p.up.list("-versions", mod)
		if res.Error != nil {
			notFound(w, status, res.Error.Err)
			return
		}
		writeList(w, res.Versions)

	case what == "@latest":
		if vs := p.store.versions(mod); useStore && len(vs) > 0 {
			best := latest(vs)
			if m, ok := p.store.get(mod, best); ok {
				serveInfo(w, m)
				return
			}
		}
		if !public {
			notFound(w, status, fmt.Sprintf("module %s: not in this proxy", mod))
			return
		}
		res := p.up.list(mod + "@latest")
		if res.Error != nil {
			notFound(w, status, res.Error.Err)
			return
		}
		writeJSON(w, map[string]any{"Version": res.Version, "Time": res.Time})

	default:
		ext := ""
		for _, e := range []string{".info", ".mod", ".zip"} {
			if strings.HasSuffix(what, e) {
				ext = e
			}
		}
		if ext == "" {
			http.NotFound(w, r)
			return
		}
		version, err := unescape(strings.TrimSuffix(what, ext))
		if err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		m, ok := p.store.get(mod, version)
		if !ok || !useStore {
			if !public {
				notFound(w, status, fmt.Sprintf("%s@%s: not in this proxy", mod, version))
				return
			}
			m = p.up.download(mod, version)
			if m.Error != "" {
				notFound(w, status, m.Error)
				return
			}
			if ext != ".info" && m.Version != version {
				notFound(w, status, fmt.Sprintf("%s@%s: version %s is not canonical", mod, version, version))
				return
			}
		}
		switch ext {
		case ".info":
			serveInfo(w, m)
		case ".mod":
			serveFile(w, m.GoMod, "text/plain; charset=UTF-8")
		case ".zip":
			serveFile(w, m.Zip, "application/zip")
		}
	}
}

func writeList(w http.ResponseWriter, versions []string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	for _, v := range versions {
		fmt.Fprintln(w, v)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(data, '\n'))
}

// serveInfo answers {"Version":..., "Time":...} from go's cached .info file.
func serveInfo(w http.ResponseWriter, m modResult) {
	data, err := os.ReadFile(m.Info)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var info struct {
		Version string
		Time    time.Time
	}
	if err := json.Unmarshal(data, &info); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, info)
}

func serveFile(w http.ResponseWriter, file, contentType string) {
	data, err := os.ReadFile(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(data)
}

// unescape undoes the module path/version escaping ("!x" is "X").
func unescape(s string) (string, error) {
	var b strings.Builder
	bang := false
	for _, r := range s {
		switch {
		case bang:
			if r < 'a' || r > 'z' {
				return "", fmt.Errorf("invalid escape in %q", s)
			}
			b.WriteRune(r - 'a' + 'A')
			bang = false
		case r == '!':
			bang = true
		case r >= 'A' && r <= 'Z':
			return "", fmt.Errorf("unescaped upper-case letter in %q", s)
		default:
			b.WriteRune(r)
		}
	}
	if bang {
		return "", fmt.Errorf("trailing escape in %q", s)
	}
	return b.String(), nil
}

// latest picks the highest release version (the store holds only tags
// vMAJOR.MINOR.PATCH, so a numeric comparison is enough).
func latest(versions []string) string {
	vs := append([]string(nil), versions...)
	sort.Slice(vs, func(i, j int) bool { return semverLess(vs[i], vs[j]) })
	return vs[len(vs)-1]
}

func semverLess(a, b string) bool {
	pa, pb := semverParts(a), semverParts(b)
	for i := range pa {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return a < b
}

func semverParts(v string) [3]int {
	var out [3]int
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	for i, f := range strings.SplitN(v, ".", 3) {
		n, _ := strconv.Atoi(f)
		out[i] = n
	}
	return out
}
