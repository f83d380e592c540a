package media

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The decode tables are generated from G.711's own description of the
// decoder output (Tables 1a and 2a): a formula independent of the bit tricks
// in g711.go.
func ituUlawDecode(c byte) int16 {
	c = ^c
	seg, q := int(c>>4)&7, int(c&0x0F)
	mag := ((2*q + 33) << seg) - 33 // in units of the 14-bit scale
	if c&0x80 != 0 {
		return int16(-4 * mag)
	}
	return int16(4 * mag)
}

func ituAlawDecode(c byte) int16 {
	c ^= 0x55
	seg, q := int(c>>4)&7, int(c&0x0F)
	mag := 2*q + 1 // in units of the 13-bit scale, halved
	if seg > 0 {
		mag = (2*q + 33) << (seg - 1)
	}
	if c&0x80 != 0 {
		return int16(8 * mag)
	}
	return int16(-8 * mag)
}

// encodeCases are the inputs of the encode golden file: zero, the ends of the
// range, each segment boundary and its neighbours, and a sweep.
func encodeCases() []int16 {
	set := map[int]bool{0: true, 1: true, -1: true, 32767: true, -32768: true, -32767: true}
	for _, b := range ulawSegEnd {
		for d := -1; d <= 1; d++ {
			v := (b-ulawBias>>2)*4 + d*4
			set[v], set[-v] = true, true
		}
	}
	for _, b := range alawSegEnd {
		for d := -1; d <= 1; d++ {
			v := b*8 + d*8
			set[v], set[-v] = true, true
		}
	}
	for v := -32768; v < 32768; v += 997 {
		set[v] = true
	}
	var out []int16
	for v := -32768; v < 32768; v++ {
		if set[v] {
			out = append(out, int16(v))
		}
	}
	return out
}

func writeGolden(t *testing.T, name, header string, lines []string) {
	t.Helper()
	body := "# " + header + "\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(filepath.Join("testdata", name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readGolden returns the whitespace-separated integer fields of each
// non-comment line.
func readGolden(t *testing.T, name string) [][]int {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		var row []int
		for _, fld := range strings.Fields(line) {
			v, err := strconv.ParseInt(fld, 0, 32)
			if err != nil {
				t.Fatalf("%s: %q: %v", name, line, err)
			}
			row = append(row, int(v))
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestG711GoldenUpdate(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/g711-*.txt")
	}
	for _, tc := range []struct {
		name string
		dec  func(byte) int16
	}{{"g711-ulaw-decode.txt", ituUlawDecode}, {"g711-alaw-decode.txt", ituAlawDecode}} {
		var lines []string
		for c := range 256 {
			lines = append(lines, fmt.Sprintf("0x%02X %d", c, tc.dec(byte(c))))
		}
		writeGolden(t, tc.name, "code linear16 (ITU-T G.711 Tables 1a/2a decoder output, scaled to 16 bits)", lines)
	}
	var lines []string
	for _, s := range encodeCases() {
		lines = append(lines, fmt.Sprintf("%d 0x%02X 0x%02X", s, LinearToUlaw(s), LinearToAlaw(s)))
	}
	writeGolden(t, "g711-encode.txt", "linear16 ulaw alaw", lines)
}

func TestG711DecodeGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		dec  func(dst []int16, codes []byte) int
	}{{"g711-ulaw-decode.txt", DecodeUlaw}, {"g711-alaw-decode.txt", DecodeAlaw}} {
		rows := readGolden(t, tc.name)
		if len(rows) != 256 {
			t.Fatalf("%s: %d rows, want 256", tc.name, len(rows))
		}
		codes := make([]byte, 256)
		for i := range codes {
			codes[i] = byte(i)
		}
		got := make([]int16, 256)
		if n := tc.dec(got, codes); n != 256 {
			t.Fatalf("%s: decoded %d", tc.name, n)
		}
		for _, r := range rows {
			if int(got[r[0]]) != r[1] {
				t.Errorf("%s: code 0x%02X decodes to %d, golden %d", tc.name, r[0], got[r[0]], r[1])
			}
		}
	}
}

func TestG711EncodeGolden(t *testing.T) {
	rows := readGolden(t, "g711-encode.txt")
	if len(rows) < 100 {
		t.Fatalf("only %d encode cases", len(rows))
	}
	for _, r := range rows {
		pcm := []int16{int16(r[0])}
		u, a := make([]byte, 1), make([]byte, 1)
		EncodeUlaw(u, pcm)
		EncodeAlaw(a, pcm)
		if int(u[0]) != r[1] || int(a[0]) != r[2] {
			t.Errorf("encode %d = ulaw 0x%02X alaw 0x%02X, golden 0x%02X 0x%02X", r[0], u[0], a[0], r[1], r[2])
		}
	}
}

// TestG711PublishedValues checks values quoted in G.711 literature, so the
// golden files cannot drift together with the code.
func TestG711PublishedValues(t *testing.T) {
	for _, tc := range []struct {
		code byte
		ulaw int16
	}{{0xFF, 0}, {0x7F, 0}, {0x00, -32124}, {0x80, 32124}, {0xFE, 8}, {0x7E, -8}} {
		if got := UlawToLinear(tc.code); got != tc.ulaw {
			t.Errorf("μ-law 0x%02X = %d, want %d", tc.code, got, tc.ulaw)
		}
	}
	for _, tc := range []struct {
		code byte
		alaw int16
	}{{0xD5, 8}, {0x55, -8}, {0xAA, 32256}, {0x2A, -32256}} {
		if got := AlawToLinear(tc.code); got != tc.alaw {
			t.Errorf("A-law 0x%02X = %d, want %d", tc.code, got, tc.alaw)
		}
	}
	for _, tc := range []struct {
		pcm        int16
		ulaw, alaw byte
	}{{0, 0xFF, 0xD5}, {-1, 0x7F, 0x55}, {32767, 0x80, 0xAA}, {-32768, 0x00, 0x2A}} {
		if u, a := LinearToUlaw(tc.pcm), LinearToAlaw(tc.pcm); u != tc.ulaw || a != tc.alaw {
			t.Errorf("encode %d = 0x%02X/0x%02X, want 0x%02X/0x%02X", tc.pcm, u, a, tc.ulaw, tc.alaw)
		}
	}
}

// TestG711Quantization checks every 16-bit input: encoding is monotonic and
// the decoded value stays within one quantization step of the input.
func TestG711Quantization(t *testing.T) {
	for _, tc := range []struct {
		name string
		enc  func(int16) byte
		dec  func(byte) int16
	}{{"ulaw", LinearToUlaw, UlawToLinear}, {"alaw", LinearToAlaw, AlawToLinear}} {
		prev := -1 << 20
		for v := -32768; v < 32768; v++ {
			y := int(tc.dec(tc.enc(int16(v))))
			if y < prev {
				t.Fatalf("%s: not monotonic at %d: %d < %d", tc.name, v, y, prev)
			}
			prev = y
			if err := abs(y - v); err > stepAt(v)+8 {
				t.Fatalf("%s: %d decodes back to %d, error %d > step %d", tc.name, v, y, err, stepAt(v))
			}
		}
	}
}

// stepAt bounds the G.711 quantization step at v: 1/16 of the magnitude's
// power-of-two segment, at least 16.
func stepAt(v int) int {
	m := abs(v)
	step := 16
	for m > 32*step {
		step *= 2
	}
	return step
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestG711RoundTripCodes(t *testing.T) {
	// Every code except the μ-law negative zero (0x7F, decoded as 0 and
	// re-encoded as 0xFF) survives decode then encode.
	for c := range 256 {
		if u := LinearToUlaw(UlawToLinear(byte(c))); u != byte(c) && c != 0x7F {
			t.Errorf("μ-law 0x%02X round-trips to 0x%02X", c, u)
		}
		if a := LinearToAlaw(AlawToLinear(byte(c))); a != byte(c) {
			t.Errorf("A-law 0x%02X round-trips to 0x%02X", c, a)
		}
	}
}

func TestCodecRegistry(t *testing.T) {
	for _, c := range Codecs() {
		byName, ok := CodecByName(strings.ToLower(c.Name))
		if !ok || byName.PayloadType != c.PayloadType {
			t.Errorf("CodecByName(%q) = %v, %v", c.Name, byName, ok)
		}
		byPT, ok := CodecByPayloadType(c.PayloadType)
		if !ok || byPT.Name != c.Name {
			t.Errorf("CodecByPayloadType(%d) = %v, %v", c.PayloadType, byPT, ok)
		}
		if c.ClockRate != 8000 || c.SamplesPerFrame(20) != 160 {
			t.Errorf("%v: rate %d, frame %d", c, c.ClockRate, c.SamplesPerFrame(20))
		}
		// A 440 Hz tone survives the codec.
		tone := Tone(440, 200*time.Millisecond, 8000, 0.5)
		payload := make([]byte, len(tone))
		back := make([]int16, len(tone))
		c.Decode(back, payload[:c.Encode(payload, tone)])
		if f := DominantFrequency(back, 8000); math.Abs(f-440) > 5 {
			t.Errorf("%v: tone came back at %.1f Hz", c, f)
		}
	}
	if _, ok := CodecByName("G729"); ok {
		t.Error("G729 found")
	}
	if _, ok := CodecByPayloadType(18); ok {
		t.Error("pt 18 found")
	}
	if got := CodecPCMA.String(); got != "PCMA/8000 (pt 8)" {
		t.Errorf("String = %q", got)
	}
}

func BenchmarkG711(b *testing.B) {
	pcm := Tone(1000, 20*time.Millisecond, 8000, 0.5)
	codes := make([]byte, len(pcm))
	out := make([]int16, len(pcm))
	b.Run("EncodeUlaw20ms", func(b *testing.B) {
		for b.Loop() {
			EncodeUlaw(codes, pcm)
		}
	})
	b.Run("DecodeUlaw20ms", func(b *testing.B) {
		for b.Loop() {
			DecodeUlaw(out, codes)
		}
	})
	b.Run("EncodeAlaw20ms", func(b *testing.B) {
		for b.Loop() {
			EncodeAlaw(codes, pcm)
		}
	})
	b.Run("DecodeAlaw20ms", func(b *testing.B) {
		for b.Loop() {
			DecodeAlaw(out, codes)
		}
	})
}

// readGoldenFields returns the whitespace-separated fields of each
// non-comment line of a testdata file.
func readGoldenFields(t *testing.T, name string) [][]string {
	t.Helper()
	rows, err := goldenFields(name)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readGoldenFieldsF(f *testing.F, name string) [][]string {
	f.Helper()
	rows, err := goldenFields(name)
	if err != nil {
		f.Fatal(err)
	}
	return rows
}

func goldenFields(name string) ([][]string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line != "" && line[0] != '#' {
			rows = append(rows, strings.Fields(line))
		}
	}
	return rows, nil
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
