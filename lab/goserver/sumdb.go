package main

// A checksum database in the format of sum.golang.org, written from the
// specifications: RFC 6962 Merkle tree hashing, the tiled transparency log
// of golang.org/design/25530-sumdb (tile height 8), and signed notes
// (Ed25519, key hash = first 4 bytes of SHA-256(name "\n" 0x01 pubkey)).
// go verifies every answer against the key given in GOSUMDB, so a wrong
// byte here shows up as a verification failure, not as a passing test.

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
)

// SumDBConfig configures the checksum database.
type SumDBConfig struct {
	// Name is the database name go prints (and signs with).
	Name string `json:"name"`
	// KeyFile holds the signer key (PRIVATE+KEY+name+hash+base64).
	KeyFile string `json:"key"`
	// Exclude lists module path prefixes never added to the tree (private
	// modules: the database answers "not found" with the upstream error).
	Exclude []string `json:"exclude"`
	// Gone lists prefixes answered with 410 Gone instead of 404.
	Gone []string `json:"gone"`
	// Tamper maps M@V to another M@V whose hashes the database reports
	// for it (a database that disagrees with what the proxy serves).
	Tamper map[string]string `json:"tamper"`
}

type hash [sha256.Size]byte

func leafHash(data []byte) hash {
	return sha256.Sum256(append([]byte{0x00}, data...))
}

func nodeHash(l, r hash) hash {
	buf := make([]byte, 0, 1+2*sha256.Size)
	buf = append(buf, 0x01)
	buf = append(buf, l[:]...)
	buf = append(buf, r[:]...)
	return sha256.Sum256(buf)
}

type sumdb struct {
	cfg    *SumDBConfig
	signer *signer
	store  *store
	up     *upstream

	mu      sync.Mutex
	records [][]byte
	leaves  []hash
	index   map[string]int64 // path@version -> record id
}

func newSumDB(cfg *SumDBConfig, s *signer, st *store, up *upstream) *sumdb {
	return &sumdb{cfg: cfg, signer: s, store: st, up: up, index: make(map[string]int64)}
}

func (db *sumdb) size() int64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	return int64(len(db.leaves))
}

// build adds every warmed module, in the configured order.
func (db *sumdb) build(order []string) {
	for _, q := range order {
		path, version, _ := strings.Cut(q, "@")
		if matchPrefix(db.cfg.Exclude, path) {
			continue
		}
		m, ok := db.store.get(path, version)
		if !ok {
			continue
		}
		db.add(m)
	}
}

// add appends the record for m (unless present) and returns its id.
func (db *sumdb) add(m modResult) int64 {
	key := m.Path + "@" + m.Version
	sum, modSum := m.Sum, m.GoModSum
	if other, ok := db.cfg.Tamper[key]; ok {
		op, ov, _ := strings.Cut(other, "@")
		if o, ok := db.store.get(op, ov); ok {
			sum, modSum = o.Sum, o.GoModSum
		} else {
			log.Printf("sumdb: tamper source %s not in store", other)
		}
	}
	record := []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", m.Path, m.Version, sum, m.Path, m.Version, modSum))
	db.mu.Lock()
	defer db.mu.Unlock()
	if id, ok := db.index[key]; ok {
		return id
	}
	id := int64(len(db.records))
	db.records = append(db.records, record)
	db.leaves = append(db.leaves, leafHash(record))
	db.index[key] = id
	return id
}

// rangeHash is the RFC 6962 Merkle tree hash of leaves[lo:hi] (hi > lo).
func rangeHash(leaves []hash, lo, hi int64) hash {
	if hi-lo == 1 {
		return leaves[lo]
	}
	k := int64(1)
	for k*2 < hi-lo {
		k *= 2
	}
	return nodeHash(rangeHash(leaves, lo, lo+k), rangeHash(leaves, lo+k, hi))
}

func treeHash(leaves []hash) hash {
	if len(leaves) == 0 {
		return sha256.Sum256(nil)
	}
	return rangeHash(leaves, 0, int64(len(leaves)))
}

// signedTree returns the signed note for the current tree.
func (db *sumdb) signedTree() []byte {
	db.mu.Lock()
	n := len(db.leaves)
	h := treeHash(db.leaves)
	db.mu.Unlock()
	text := fmt.Sprintf("go.sum database tree\n%d\n%s\n", n, base64.StdEncoding.EncodeToString(h[:]))
	return db.signer.Sign(text)
}

func formatRecord(id int64, text []byte) []byte {
	return append([]byte(fmt.Sprintf("%d\n", id)), append(text, '\n')...)
}

func (db *sumdb) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/latest":
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.Write(db.signedTree())

	case strings.HasPrefix(path, "/lookup/"):
		db.lookup(w, strings.TrimPrefix(path, "/lookup/"))

	case strings.HasPrefix(path, "/tile/"):
		db.tile(w, r, strings.TrimPrefix(path, "/"))

	default:
		http.NotFound(w, r)
	}
}

func (db *sumdb) lookup(w http.ResponseWriter, escaped string) {
	i := strings.LastIndex(escaped, "@")
	if i < 0 {
		http.Error(w, "invalid module@version syntax", http.StatusBadRequest)
		return
	}
	path, err1 := unescape(escaped[:i])
	version, err2 := unescape(escaped[i+1:])
	if err1 != nil || err2 != nil || !strings.HasPrefix(version, "v") {
		http.Error(w, "invalid module@version syntax", http.StatusBadRequest)
		return
	}
	status := http.StatusNotFound
	if matchPrefix(db.cfg.Gone, path) {
		status = http.StatusGone
	}
	db.mu.Lock()
	id, ok := db.index[path+"@"+version]
	db.mu.Unlock()
	if !ok {
		// Like sum.golang.org: fetch the module through the (anonymous)
		// proxy and record it, or answer with the fetch error.
		m := db.up.download(path, version)
		if m.Error != "" {
			notFound(w, status, m.Error)
			return
		}
		if matchPrefix(db.cfg.Exclude, path) {
			notFound(w, status, fmt.Sprintf("%s@%s: excluded from this database", path, version))
			return
		}
		id = db.add(m)
	}
	db.mu.Lock()
	record := db.records[id]
	db.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.Write(formatRecord(id, record))
	w.Write(db.signedTree())
}

// tile serves tile/H/L/NNN[.p/W] (hash tiles) and tile/H/data/NNN[.p/W].
func (db *sumdb) tile(w http.ResponseWriter, r *http.Request, path string) {
	height, level, n, width, err := parseTilePath(path)
	if err != nil || height != 8 {
		http.Error(w, "invalid tile syntax", http.StatusBadRequest)
		return
	}
	db.mu.Lock()
	leaves := append([]hash(nil), db.leaves...)
	records := db.records
	db.mu.Unlock()
	size := int64(len(leaves))

	if level == -1 {
		start := n << uint(height)
		if start+int64(width) > size {
			http.NotFound(w, r)
			return
		}
		var data []byte
		for i := int64(0); i < int64(width); i++ {
			data = append(data, formatRecord(start+i, records[start+i])...)
		}
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.Write(data)
		return
	}

	// W hashes at tree level L*H, starting at index N<<H.
	treeLevel := uint(level * height)
	first := n << uint(height)
	if (first+int64(width))<<treeLevel > size {
		http.NotFound(w, r)
		return
	}
	var data []byte
	for i := int64(0); i < int64(width); i++ {
		idx := first + i
		h := rangeHash(leaves, idx<<treeLevel, (idx+1)<<treeLevel)
		data = append(data, h[:]...)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(data)
}

// parseTilePath parses "tile/H/L/x001/x234/067[.p/W]"; L is -1 for "data".
func parseTilePath(path string) (height, level int, n int64, width int, err error) {
	f := strings.Split(path, "/")
	bad := errors.New("malformed tile path")
	if len(f) < 4 || f[0] != "tile" {
		return 0, 0, 0, 0, bad
	}
	height, err = strconv.Atoi(f[1])
	if err != nil || height < 1 || height > 30 {
		return 0, 0, 0, 0, bad
	}
	if f[2] == "data" {
		level = -1
	} else if level, err = strconv.Atoi(f[2]); err != nil || level < 0 {
		return 0, 0, 0, 0, bad
	}
	width = 1 << uint(height)
	rest := f[3:]
	if len(rest) >= 2 && strings.HasSuffix(rest[len(rest)-2], ".p") {
		width, err = strconv.Atoi(rest[len(rest)-1])
		if err != nil || width < 1 || width >= 1<<uint(height) {
			return 0, 0, 0, 0, bad
		}
		rest = rest[:len(rest)-1]
		rest[len(rest)-1] = strings.TrimSuffix(rest[len(rest)-1], ".p")
	}
	for i, elem := range rest {
		if i < len(rest)-1 {
			if !strings.HasPrefix(elem, "x") {
				return 0, 0, 0, 0, bad
			}
			elem = elem[1:]
		}
		if len(elem) != 3 {
			return 0, 0, 0, 0, bad
		}
		d, err := strconv.Atoi(elem)
		if err != nil {
			return 0, 0, 0, 0, bad
		}
		n = n*1000 + int64(d)
	}
	return height, level, n, width, nil
}

// signer signs notes with an Ed25519 key.
type signer struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
}

const algEd25519 = 1

func keyHash(name string, pubkey []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write(pubkey)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func newSigner(name string, seed []byte) *signer {
	priv := ed25519.NewKeyFromSeed(seed)
	pub := append([]byte{algEd25519}, priv.Public().(ed25519.PublicKey)...)
	return &signer{name: name, hash: keyHash(name, pub), priv: priv}
}

// VerifierKey is the value to put in GOSUMDB: name+hash+base64(alg||pubkey).
func (s *signer) VerifierKey() string {
	pub := append([]byte{algEd25519}, s.priv.Public().(ed25519.PublicKey)...)
	return fmt.Sprintf("%s+%08x+%s", s.name, s.hash, base64.StdEncoding.EncodeToString(pub))
}

// Sign returns text followed by a blank line and the signature line.
func (s *signer) Sign(text string) []byte {
	sig := ed25519.Sign(s.priv, []byte(text))
	var hb [4]byte
	binary.BigEndian.PutUint32(hb[:], s.hash)
	line := fmt.Sprintf("— %s %s\n", s.name, base64.StdEncoding.EncodeToString(append(hb[:], sig...)))
	return []byte(text + "\n" + line)
}

func keygen(name, file string) (string, error) {
	sum := sha256.Sum256([]byte("gotriage-lab sumdb key: " + name))
	seed := sum[:ed25519.SeedSize]
	s := newSigner(name, seed)
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s\n", name, s.hash, base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, seed...)))
	if err := os.WriteFile(file, []byte(skey), 0o600); err != nil {
		return "", err
	}
	return s.VerifierKey(), nil
}

func loadSigner(file string) (*signer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	f := strings.Split(strings.TrimSpace(string(data)), "+")
	if len(f) != 5 || f[0] != "PRIVATE" || f[1] != "KEY" {
		return nil, fmt.Errorf("%s: not a signer key", file)
	}
	key, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != algEd25519 {
		return nil, fmt.Errorf("%s: bad key material", file)
	}
	s := newSigner(f[2], key[1:])
	if fmt.Sprintf("%08x", s.hash) != f[3] {
		return nil, fmt.Errorf("%s: key hash does not match", file)
	}
	return s, nil
}
