package main

import (
	"encoding/binary"
	"log"
	"net"
)

// dnsNXDomain answers every DNS query with NXDOMAIN ("no such name"), as a
// real resolver does for a name that does not exist.  Names the lab knows
// are in its /etc/hosts (nsswitch "files dns"), so only unknown names get
// here, and the failure is immediate instead of a resolver timeout.
func dnsNXDomain(pc net.PacketConn) {
	log.Printf("dns (NXDOMAIN for everything) listening on %s", pc.LocalAddr())
	buf := make([]byte, 1500)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if n < 12 {
			continue
		}
		q := buf[:n]
		qdcount := binary.BigEndian.Uint16(q[4:6])
		// End of the question section (only the first question is echoed).
		end := 12
		if qdcount > 0 {
			for end < n && q[end] != 0 {
				end += int(q[end]) + 1
			}
			end += 1 + 4 // root label, QTYPE, QCLASS
			if end > n {
				continue
			}
		}
		resp := make([]byte, end)
		copy(resp, q[:end])
		flags := binary.BigEndian.Uint16(q[2:4])
		// QR=1, keep opcode and RD, RA=1, RCODE=3 (NXDOMAIN).
		flags = 0x8000 | (flags & 0x7900) | 0x0080 | 3
		binary.BigEndian.PutUint16(resp[2:4], flags)
		if qdcount > 0 {
			binary.BigEndian.PutUint16(resp[4:6], 1)
		}
		binary.BigEndian.PutUint16(resp[6:8], 0)
		binary.BigEndian.PutUint16(resp[8:10], 0)
		binary.BigEndian.PutUint16(resp[10:12], 0)
		pc.WriteTo(resp, addr)
	}
}
