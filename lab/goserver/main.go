// Command goserver is the failure lab's own server: a module proxy (the
// GOPROXY protocol), a checksum database (signed tlog notes and tiles, as
// sum.golang.org serves them), a go-import meta-tag host, and two raw TCP
// misbehavers (a tarpit that accepts and never answers, and one that resets
// every connection).  Standard library only; every listener is given by the
// configuration file that lab/labctl writes, and labctl refuses anything
// outside 127.0.0.0/8.
//
//	goserver serve CONFIG.json
//	goserver keygen NAME SKEYFILE          (prints the verifier key)
//	goserver vkey SKEYFILE                 (prints the verifier key)
//	goserver sshkey SEED FILE COMMENT      (FILE and FILE.pub, OpenSSH format)
//
// Keys are derived from fixed seeds: the lab is reproducible, and its keys
// are worthless outside it.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Config is the JSON file labctl writes.
type Config struct {
	PidFile   string     `json:"pidfile"`
	ReadyFile string     `json:"readyfile"`
	CertFile  string     `json:"cert"`
	KeyFile   string     `json:"key"`
	Listeners []Listener `json:"listeners"`
	Proxy     ProxyConfig
	SumDB     SumDBConfig
	Vanity    []VanityEntry
	Flaky     FlakyConfig
}

// Listener is one address and what answers there.
type Listener struct {
	Addr string `json:"addr"`
	// Role: proxy, sumdb, vanity, flaky (HTTP), tarpit, reset (raw TCP), dns (UDP).
	Role string `json:"role"`
	TLS  bool   `json:"tls"`
}

func main() {
	log.SetFlags(log.Lmicroseconds)
	log.SetPrefix("goserver: ")
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "serve":
		if len(os.Args) != 3 {
			usage()
		}
		if err := serve(os.Args[2]); err != nil {
			log.Fatal(err)
		}
	case "keygen":
		if len(os.Args) != 4 {
			usage()
		}
		vkey, err := keygen(os.Args[2], os.Args[3])
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(vkey)
	case "sshkey":
		if len(os.Args) != 5 {
			usage()
		}
		if err := sshKey(os.Args[2], os.Args[3], os.Args[4]); err != nil {
			log.Fatal(err)
		}
	case "vkey":
		if len(os.Args) != 3 {
			usage()
		}
		s, err := loadSigner(os.Args[2])
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(s.VerifierKey())
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: goserver serve CONFIG.json | keygen NAME SKEYFILE | vkey SKEYFILE | sshkey SEED FILE COMMENT")
	os.Exit(2)
}

func serve(configPath string) error {
	data, err := os.ReadFile(configPath)
	if err != nil {
		return err
	}
	var cfg Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("%s: %v", configPath, err)
	}
	for _, l := range cfg.Listeners {
		if err := checkLoopback(l.Addr); err != nil {
			return err
		}
	}
	if cfg.PidFile != "" {
		if err := os.WriteFile(cfg.PidFile, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
			return err
		}
	}
	if cfg.ReadyFile != "" {
		os.Remove(cfg.ReadyFile)
	}

	var tlsConfig *tls.Config
	if cfg.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return err
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
	}

	up := newUpstream(&cfg.Proxy)
	store := newStore()
	signer, err := loadSigner(cfg.SumDB.KeyFile)
	if err != nil {
		return fmt.Errorf("sumdb key: %v", err)
	}
	db := newSumDB(&cfg.SumDB, signer, store, up)
	ready := make(chan struct{})
	handlers := map[string]http.Handler{
		"proxy":  waitReady(ready, newProxy(&cfg.Proxy, store, up)),
		"sumdb":  waitReady(ready, db),
		"vanity": newVanity(cfg.Vanity),
		"flaky":  newFlaky(cfg.Flaky),
	}

	var servers []*http.Server
	var rawListeners []net.Listener
	for _, l := range cfg.Listeners {
		if l.Role == "dns" {
			pc, err := net.ListenPacket("udp", l.Addr)
			if err != nil {
				return err
			}
			defer pc.Close()
			go dnsNXDomain(pc)
			continue
		}
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			return err
		}
		switch l.Role {
		case "tarpit":
			rawListeners = append(rawListeners, ln)
			if l.TLS {
				// Completes the TLS handshake, then never answers: a
				// server that hangs after the connection is up.
				ln = tls.NewListener(ln, tlsConfig)
			}
			go tarpit(ln)
			continue
		case "reset":
			rawListeners = append(rawListeners, ln)
			go reset(ln)
			continue
		}
		h, ok := handlers[l.Role]
		if !ok {
			return fmt.Errorf("listener %s: unknown role %q", l.Addr, l.Role)
		}
		srv := &http.Server{Handler: logRequests(l.Role, h), ReadHeaderTimeout: 30 * time.Second}
		servers = append(servers, srv)
		if l.TLS {
			if tlsConfig == nil {
				return fmt.Errorf("listener %s wants TLS but no cert is configured", l.Addr)
			}
			ln = tls.NewListener(ln, tlsConfig)
		}
		go func(ln net.Listener, srv *http.Server) {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Printf("serve %s: %v", ln.Addr(), err)
			}
		}(ln, srv)
		log.Printf("%s listening on %s (tls=%v)", l.Role, l.Addr, l.TLS)
	}

	// Fill the store (the proxy's upstream fetches of every module the lab
	// publishes, with credentials) and build the checksum database from it.
	if err := store.warm(up, cfg.Proxy.Warm); err != nil {
		return err
	}
	db.build(cfg.Proxy.Warm)
	close(ready)
	if cfg.ReadyFile != "" {
		if err := os.WriteFile(cfg.ReadyFile, []byte("ready\n"), 0o644); err != nil {
			return err
		}
	}
	log.Printf("ready: %d module versions, checksum tree of size %d", store.len(), db.size())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	log.Printf("stopping")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, ln := range rawListeners {
		ln.Close()
	}
	var wg sync.WaitGroup
	for _, srv := range servers {
		wg.Add(1)
		go func(srv *http.Server) {
			defer wg.Done()
			if srv.Shutdown(ctx) != nil {
				srv.Close()
			}
		}(srv)
	}
	wg.Wait()
	if cfg.PidFile != "" {
		os.Remove(cfg.PidFile)
	}
	return nil
}

// checkLoopback refuses any listen address outside 127.0.0.0/8.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() == nil || ip.To4()[0] != 127 {
		return fmt.Errorf("refusing to listen on %s: only 127.0.0.0/8 addresses are allowed", addr)
	}
	return nil
}

// waitReady holds requests until the store is warm (labctl waits for the
// ready file, so in practice only its own warm-up requests wait).
func waitReady(ready <-chan struct{}, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ready:
		case <-time.After(60 * time.Second):
			http.Error(w, "lab server not ready", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func logRequests(role string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		start := time.Now()
		h.ServeHTTP(rec, r)
		log.Printf("%s %s %s%s -> %d (%s)", role, r.Method, r.Host, r.URL.RequestURI(), rec.status, time.Since(start).Round(time.Millisecond))
	})
}

// notFound answers as proxy.golang.org and sum.golang.org do: a one-line
// or multi-line text/plain body starting "not found: ".
func notFound(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "not found: %s\n", strings.TrimRight(msg, "\n"))
}

// tarpitHold is how long the tarpit keeps a silent connection open: longer
// than the clients' own timeouts in the scenarios (ssh ConnectTimeout 2,
// git http.lowSpeedTime 2), short enough that a client without any timeout
// (go 1.19 probes a failed repository URL with a plain GET) still finishes.
const tarpitHold = 5 * time.Second

// tarpit accepts connections and never answers; it drops them after
// tarpitHold.
func tarpit(ln net.Listener) {
	log.Printf("tarpit listening on %s", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			c.SetDeadline(time.Now().Add(tarpitHold))
			if tc, ok := c.(*tls.Conn); ok {
				if err := tc.Handshake(); err != nil {
					return
				}
			}
			buf := make([]byte, 4096)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}(c)
	}
}

// reset accepts connections and closes them with a TCP reset once the
// client has spoken (waiting for that, so the client always meets the reset
// when it reads, never while it is still sending: stable transcripts).
func reset(ln net.Listener) {
	log.Printf("reset listening on %s", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 4096)
			c.Read(buf)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			c.Close()
		}(c)
	}
}
