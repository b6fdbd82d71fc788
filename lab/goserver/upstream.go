package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// ProxyConfig configures the module proxy and its upstream: a real go
// command that fetches modules from the lab's git servers, as the real
// proxy.golang.org does.  Its errors are what the proxy embeds in its
// "not found: ..." bodies, so those bodies are real go/git output too.
type ProxyConfig struct {
	// Go is the go binary for upstream fetches.
	Go string `json:"go"`
	// Dir is the directory upstream go runs in (outside any module).
	Dir string `json:"dir"`
	// Env is the anonymous upstream environment: what a public proxy has
	// (no credentials).  GOPATH=/tmp/gopath, as proxy.golang.org's errors show.
	Env []string `json:"env"`
	// WarmEnv is the environment for the warm-up fetch, with credentials,
	// so that the store holds every module the lab publishes.
	WarmEnv []string `json:"warm_env"`
	// Warm lists M@V to fetch at start, in checksum-database record order.
	Warm []string `json:"warm"`
	// Private lists module path prefixes the public view never serves
	// from the store (it asks the anonymous upstream, which fails).
	Private []string `json:"private"`
	// Gone lists module path prefixes answered with 410 Gone instead of
	// 404 Not Found.
	Gone []string `json:"gone"`
	// TimeoutSeconds bounds one upstream go command.
	TimeoutSeconds int `json:"timeout_seconds"`
}

// modResult is one object of `go mod download -json` output.
type modResult struct {
	Path     string
	Version  string
	Error    string
	Info     string
	GoMod    string
	Zip      string
	Sum      string
	GoModSum string
}

// listResult is `go list -m -json -e` output.
type listResult struct {
	Path     string
	Version  string
	Versions []string
	Time     *time.Time
	Error    *struct{ Err string }
}

type upstream struct {
	cfg *ProxyConfig

	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done chan struct{}
	val  any
}

func newUpstream(cfg *ProxyConfig) *upstream {
	return &upstream{cfg: cfg, calls: make(map[string]*call)}
}

// once runs f for key at most once and caches its result (upstream answers
// do not change while the lab runs, and the real proxy caches too).
func (u *upstream) once(key string, f func() any) any {
	u.mu.Lock()
	c, ok := u.calls[key]
	if !ok {
		c = &call{done: make(chan struct{})}
		u.calls[key] = c
		u.mu.Unlock()
		c.val = f()
		close(c.done)
		return c.val
	}
	u.mu.Unlock()
	<-c.done
	return c.val
}

func (u *upstream) run(env []string, args ...string) ([]byte, error) {
	timeout := time.Duration(u.cfg.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, u.cfg.Go, args...)
	cmd.Dir = u.cfg.Dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.Stdin = nil
	start := time.Now()
	err := cmd.Run()
	log.Printf("upstream: go %s (%s): %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond), err)
	if stderr.Len() > 0 {
		log.Printf("upstream stderr: %s", strings.TrimSpace(stderr.String()))
	}
	if ctx.Err() != nil {
		return stdout.Bytes(), fmt.Errorf("upstream fetch timed out after %s", timeout)
	}
	return stdout.Bytes(), nil
}

// downloadAll runs `go mod download -json` for queries.
func (u *upstream) downloadAll(env []string, queries []string) ([]modResult, error) {
	out, err := u.run(env, append([]string{"mod", "download", "-json"}, queries...)...)
	if err != nil {
		return nil, err
	}
	var results []modResult
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var r modResult
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding go mod download output: %v", err)
		}
		results = append(results, r)
	}
	return results, nil
}

// download is the anonymous upstream's answer for one module query.
func (u *upstream) download(path, query string) modResult {
	return u.once("download "+path+"@"+query, func() any {
		rs, err := u.downloadAll(u.cfg.Env, []string{path + "@" + query})
		if err != nil {
			return modResult{Path: path, Error: err.Error()}
		}
		if len(rs) != 1 {
			return modResult{Path: path, Error: fmt.Sprintf("upstream returned %d results", len(rs))}
		}
		return rs[0]
	}).(modResult)
}

// list is the anonymous upstream's answer for `go list -m -json -e ARG`.
func (u *upstream) list(args ...string) listResult {
	return u.once("list "+strings.Join(args, " "), func() any {
		out, err := u.run(u.cfg.Env, append([]string{"list", "-m", "-json", "-e"}, args...)...)
		if err != nil {
			return listResult{Error: &struct{ Err string }{err.Error()}}
		}
		var r listResult
		if err := json.Unmarshal(out, &r); err != nil {
			return listResult{Error: &struct{ Err string }{fmt.Sprintf("decoding go list output: %v", err)}}
		}
		return r
	}).(listResult)
}

func matchPrefix(prefixes []string, path string) bool {
	for _, p := range prefixes {
		p = strings.TrimSuffix(p, "/")
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}
