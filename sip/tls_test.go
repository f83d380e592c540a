package sip

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a throwaway certificate for 127.0.0.1.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hotline test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	return certFile, keyFile
}

// TestTLSListener: with TLS configured, OPTIONS over TLS is answered.
func TestTLSListener(t *testing.T) {
	cfg := testConfig(t)
	cfg.TLS.CertFile, cfg.TLS.KeyFile = selfSigned(t)
	cfg.TLS.Addr = "127.0.0.1:0"
	s := startServer(t, cfg, answeringHandler(t, nil), Options{})
	conn, err := tls.Dial("tcp", s.Addr("tls").String(), &tls.Config{InsecureSkipVerify: true}) // self-signed test cert
	must(t, err)
	defer conn.Close()
	u := &rawUA{t: t, callID: newCallID(), tag: "t", server: s.Addr("tls")}
	msg := strings.Replace(u.requestFrom("OPTIONS", conn.LocalAddr().String()), "SIP/2.0/UDP", "SIP/2.0/TLS", 1)
	_, err = conn.Write([]byte(msg))
	must(t, err)
	must(t, conn.SetReadDeadline(time.Now().Add(3*time.Second)))
	line, err := bufio.NewReader(conn).ReadString('\n')
	must(t, err)
	if strings.TrimSpace(line) != "SIP/2.0 200 OK" {
		t.Errorf("OPTIONS over TLS: %q", line)
	}
}
