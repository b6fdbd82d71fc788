package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// RFC 6962 test vectors (the Certificate Transparency reference tests):
// the tree hash of the first n of these leaves.
var ctLeaves = []string{
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
}

var ctRoots = map[int]string{
	0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

func TestTreeHashRFC6962(t *testing.T) {
	var leaves []hash
	for _, l := range ctLeaves {
		b, err := hex.DecodeString(l)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, leafHash(b))
	}
	for n, want := range ctRoots {
		h := treeHash(leaves[:n])
		if got := hex.EncodeToString(h[:]); got != want {
			t.Errorf("tree hash of %d leaves = %s, want %s", n, got, want)
		}
	}
}

func TestParseTilePath(t *testing.T) {
	for _, tc := range []struct {
		path             string
		height, level, w int
		n                int64
	}{
		{"tile/8/0/000", 8, 0, 256, 0},
		{"tile/8/0/000.p/5", 8, 0, 5, 0},
		{"tile/8/1/x001/x234/067.p/8", 8, 1, 8, 1234067},
		{"tile/8/data/002", 8, -1, 256, 2},
	} {
		h, l, n, w, err := parseTilePath(tc.path)
		if err != nil || h != tc.height || l != tc.level || n != tc.n || w != tc.w {
			t.Errorf("%s: got %d %d %d %d %v", tc.path, h, l, n, w, err)
		}
	}
	for _, bad := range []string{"tile/8/0/1", "tile/8/0/000.p/256", "tile/8/x/000", "tile/8/0/001/002", "lookup/x"} {
		if _, _, _, _, err := parseTilePath(bad); err == nil {
			t.Errorf("%s: parsed", bad)
		}
	}
}

func TestSignedNote(t *testing.T) {
	s := newSigner("sum.example", make([]byte, 32))
	text := "go.sum database tree\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
	msg := string(s.Sign(text))
	prefix := text + "\n— sum.example "
	if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, "\n") {
		t.Fatalf("note = %q", msg)
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(msg[len(prefix):], "\n"))
	if err != nil || len(sig) != 4+ed25519.SignatureSize {
		t.Fatalf("signature %q: %v", msg[len(prefix):], err)
	}
	if binary.BigEndian.Uint32(sig[:4]) != s.hash {
		t.Errorf("key hash %x, want %x", sig[:4], s.hash)
	}
	pub := s.priv.Public().(ed25519.PublicKey)
	if !ed25519.Verify(pub, []byte(text), sig[4:]) {
		t.Error("signature does not verify")
	}
	vkey := s.VerifierKey()
	if !strings.HasPrefix(vkey, fmt.Sprintf("sum.example+%08x+", s.hash)) {
		t.Errorf("verifier key %s", vkey)
	}
}
