package media

// G.711 (ITU-T, 11/1988) companding of 16-bit linear PCM into 8-bit μ-law
// (PCMU) and A-law (PCMA) codes. Encoding truncates the input to the 14-bit
// (μ-law) or 13-bit (A-law) range that the recommendation quantizes, exactly
// as the reference implementation in ITU-T G.191 does; decoding returns the
// reconstruction value in the centre of each quantization interval, scaled to
// 16 bits. The golden vectors in testdata/ pin every code.

const (
	ulawBias = 0x84 // 132: the μ-law bias, in 16-bit units
	ulawClip = 8159 // largest biased magnitude in 14-bit units
)

var (
	ulawDecodeTable [256]int16
	alawDecodeTable [256]int16
	ulawEncodeTable [1 << 14]byte // indexed by the 14-bit sample (pcm >> 2)
	alawEncodeTable [1 << 13]byte // indexed by the 13-bit sample (pcm >> 3)
)

func init() {
	for i := range 256 {
		ulawDecodeTable[i] = ulawDecode(byte(i))
		alawDecodeTable[i] = alawDecode(byte(i))
	}
	for i := range 1 << 14 {
		ulawEncodeTable[i] = ulawEncode(int16(i << 2))
	}
	for i := range 1 << 13 {
		alawEncodeTable[i] = alawEncode(int16(i << 3))
	}
}

// EncodeUlaw encodes min(len(dst), len(pcm)) samples to μ-law and returns
// that count.
func EncodeUlaw(dst []byte, pcm []int16) int {
	n := min(len(dst), len(pcm))
	for i, s := range pcm[:n] {
		dst[i] = ulawEncodeTable[uint16(s)>>2]
	}
	return n
}

// DecodeUlaw decodes min(len(dst), len(codes)) μ-law codes and returns that
// count.
func DecodeUlaw(dst []int16, codes []byte) int {
	n := min(len(dst), len(codes))
	for i, c := range codes[:n] {
		dst[i] = ulawDecodeTable[c]
	}
	return n
}

// EncodeAlaw encodes min(len(dst), len(pcm)) samples to A-law and returns
// that count.
func EncodeAlaw(dst []byte, pcm []int16) int {
	n := min(len(dst), len(pcm))
	for i, s := range pcm[:n] {
		dst[i] = alawEncodeTable[uint16(s)>>3]
	}
	return n
}

// DecodeAlaw decodes min(len(dst), len(codes)) A-law codes and returns that
// count.
func DecodeAlaw(dst []int16, codes []byte) int {
	n := min(len(dst), len(codes))
	for i, c := range codes[:n] {
		dst[i] = alawDecodeTable[c]
	}
	return n
}

// UlawToLinear decodes one μ-law code.
func UlawToLinear(c byte) int16 { return ulawDecodeTable[c] }

// LinearToUlaw encodes one sample to μ-law.
func LinearToUlaw(s int16) byte { return ulawEncodeTable[uint16(s)>>2] }

// AlawToLinear decodes one A-law code.
func AlawToLinear(c byte) int16 { return alawDecodeTable[c] }

// LinearToAlaw encodes one sample to A-law.
func LinearToAlaw(s int16) byte { return alawEncodeTable[uint16(s)>>3] }

// segment returns the index of the first bound that v does not exceed, or
// len(bounds) when v is above them all.
func segment(v int, bounds *[8]int) int {
	for i, b := range bounds {
		if v <= b {
			return i
		}
	}
	return len(bounds)
}

var (
	ulawSegEnd = [8]int{0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF}
	alawSegEnd = [8]int{0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF}
)

// ulawEncode quantizes one sample (only its top 14 bits count).
func ulawEncode(s int16) byte {
	v := int(s) >> 2
	mask := byte(0xFF)
	if s < 0 {
		v = int(^s) >> 2 // one's complement, so -1 is a negative zero
		mask = 0x7F
	}
	v = min(v, ulawClip) + ulawBias>>2
	seg := segment(v, &ulawSegEnd)
	if seg >= 8 {
		return 0x7F ^ mask
	}
	return (byte(seg<<4) | byte(v>>(seg+1))&0x0F) ^ mask
}

// ulawDecode returns the reconstruction value of one μ-law code.
func ulawDecode(c byte) int16 {
	c = ^c
	t := (int(c&0x0F) << 3) + ulawBias
	t <<= (c & 0x70) >> 4
	if c&0x80 != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

// alawEncode quantizes one sample (only its top 13 bits count).
func alawEncode(s int16) byte {
	v := int(s) >> 3
	mask := byte(0xD5)
	if v < 0 {
		v = -v - 1
		mask = 0x55
	}
	seg := segment(v, &alawSegEnd)
	if seg >= 8 {
		return 0x7F ^ mask
	}
	code := byte(seg << 4)
	if seg < 2 {
		code |= byte(v>>1) & 0x0F
	} else {
		code |= byte(v>>seg) & 0x0F
	}
	return code ^ mask
}

// alawDecode returns the reconstruction value of one A-law code.
func alawDecode(c byte) int16 {
	c ^= 0x55
	t := int(c&0x0F) << 4
	seg := int(c&0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if c&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}
