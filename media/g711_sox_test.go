package media

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"testing"
)

// requireTool skips the test when an external tool is missing, except on
// CI (CI=true), where it fails.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required on CI: %v (apt-get install -y %s)", name, err, name)
		}
		t.Skipf("%s not installed (apt-get install -y %s)", name, name)
	}
	return path
}

// sox converts raw audio with sox, without dither.
func sox(t *testing.T, in []byte, inArgs, outArgs []string) []byte {
	t.Helper()
	args := append(append(append([]string{"-D"}, inArgs...), "-"), outArgs...)
	cmd := exec.Command(requireTool(t, "sox"), append(args, "-")...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sox %v: %v: %s", args, err, stderr.String())
	}
	return out
}

// TestG711AgainstSox compares with an independent implementation: sox's
// decoding of every code must equal ours, and its encoding of every 16-bit
// value may differ only next to a decision level, where sox rounds the 16-bit
// input and G.191 truncates it to 14 (μ-law) or 13 (A-law) bits.
func TestG711AgainstSox(t *testing.T) {
	requireTool(t, "sox")
	codes := make([]byte, 256)
	for i := range codes {
		codes[i] = byte(i)
	}
	all := make([]byte, 0, 2*65536)
	for v := -32768; v < 32768; v++ {
		all = binary.LittleEndian.AppendUint16(all, uint16(v))
	}
	raw16 := []string{"-t", "raw", "-r", "8000", "-c", "1", "-e", "signed", "-b", "16"}
	for _, tc := range []struct {
		enc  string
		dec  func(byte) int16
		code func(int16) byte
		unit int
	}{{"u-law", UlawToLinear, LinearToUlaw, 4}, {"a-law", AlawToLinear, LinearToAlaw, 8}} {
		raw8 := []string{"-t", "raw", "-r", "8000", "-c", "1", "-e", tc.enc, "-b", "8"}
		decoded := sox(t, codes, raw8, raw16)
		for c := range 256 {
			if got := int16(binary.LittleEndian.Uint16(decoded[2*c:])); got != tc.dec(byte(c)) {
				t.Errorf("%s 0x%02X: sox %d, ours %d", tc.enc, c, got, tc.dec(byte(c)))
			}
		}
		encoded := sox(t, all, raw16, raw8)
		diffs := 0
		for i, c := range encoded {
			v := i - 32768
			ours := tc.code(int16(v))
			if c == ours {
				continue
			}
			diffs++
			if !encodesNear(tc.code, v, tc.unit, c) {
				t.Errorf("%s encode %d: sox 0x%02X, ours 0x%02X, not next to a decision level", tc.enc, v, c, ours)
			}
		}
		t.Logf("%s: %d of 65536 encodings differ, all at decision levels", tc.enc, diffs)
	}
}

// encodesNear reports whether code encodes some input within unit of v: v
// then lies next to the decision level between code and v's own code.
func encodesNear(encode func(int16) byte, v, unit int, code byte) bool {
	for w := max(v-unit, -32768); w <= min(v+unit, 32767); w++ {
		if encode(int16(w)) == code {
			return true
		}
	}
	return false
}
