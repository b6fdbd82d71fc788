package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
)

// sshKey writes an Ed25519 key pair in OpenSSH's formats, derived from a
// seed text, so that host-key fingerprints (which ssh prints when a host
// key changed) are the same on every machine that regenerates the lab.
// These are throw-away lab keys; never use them for anything real.
func sshKey(seedText, file, comment string) error {
	seed := sha256.Sum256([]byte("gotriage-lab ssh key: " + seedText))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)

	str := func(b *bytes.Buffer, s []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		b.Write(n[:])
		b.Write(s)
	}
	u32 := func(b *bytes.Buffer, v uint32) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], v)
		b.Write(n[:])
	}

	var pubBlob bytes.Buffer
	str(&pubBlob, []byte("ssh-ed25519"))
	str(&pubBlob, pub)

	var privBlock bytes.Buffer
	check := binary.BigEndian.Uint32(seed[28:32])
	u32(&privBlock, check)
	u32(&privBlock, check)
	str(&privBlock, []byte("ssh-ed25519"))
	str(&privBlock, pub)
	str(&privBlock, priv) // seed || public key, 64 bytes
	str(&privBlock, []byte(comment))
	for i := byte(1); privBlock.Len()%8 != 0; i++ {
		privBlock.WriteByte(i)
	}

	var out bytes.Buffer
	out.WriteString("openssh-key-v1\x00")
	str(&out, []byte("none"))
	str(&out, []byte("none"))
	str(&out, nil)
	u32(&out, 1)
	str(&out, pubBlob.Bytes())
	str(&out, privBlock.Bytes())

	b64 := base64.StdEncoding.EncodeToString(out.Bytes())
	var pem strings.Builder
	pem.WriteString("-----BEGIN OPENSSH PRIVATE KEY-----\n")
	for len(b64) > 70 {
		pem.WriteString(b64[:70] + "\n")
		b64 = b64[70:]
	}
	pem.WriteString(b64 + "\n-----END OPENSSH PRIVATE KEY-----\n")
	if err := os.WriteFile(file, []byte(pem.String()), 0o600); err != nil {
		return err
	}
	line := fmt.Sprintf("ssh-ed25519 %s %s\n", base64.StdEncoding.EncodeToString(pubBlob.Bytes()), comment)
	return os.WriteFile(file+".pub", []byte(line), 0o644)
}
