package classify

import (
	"bufio"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"io"
	"math"
)

// formatMagic and formatVersion head every saved model; Load refuses any
// other version.
const (
	formatMagic   = "hotline-classify"
	formatVersion = 1
)

type header struct {
	Magic   string
	Version int
}

// saved is the gob body of a model file; float vectors are packed as
// little-endian float32 bytes, which gob stores compactly.
type saved struct {
	Spec     FeatureSpec
	Labels   []string
	Features []string
	IDF      []byte
	Weights  []byte
	Bias     []byte
	LogPrior []byte
	Balance  float32
}

// Save writes the model in a versioned gob format.
func (m *Model) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := gob.NewEncoder(bw)
	body := saved{
		Spec: m.spec, Labels: m.labels, Features: m.features,
		IDF: pack(m.idf), Weights: pack(m.weights), Bias: pack(m.bias),
		LogPrior: pack(m.logPrior), Balance: m.balance,
	}
	if err := enc.Encode(header{Magic: formatMagic, Version: formatVersion}); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := enc.Encode(body); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// Load reads a model written by Save.
func Load(r io.Reader) (*Model, error) {
	dec := gob.NewDecoder(bufio.NewReader(r))
	var h header
	if err := dec.Decode(&h); err != nil || h.Magic != formatMagic {
		return nil, fmt.Errorf("load model: not a hotline classifier model")
	}
	if h.Version != formatVersion {
		return nil, fmt.Errorf("load model: format version %d, this build reads version %d", h.Version, formatVersion)
	}
	var s saved
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	m := &Model{
		spec: s.Spec, labels: s.Labels, features: s.Features, balance: s.Balance,
		idf: unpack(s.IDF), weights: unpack(s.Weights), bias: unpack(s.Bias), logPrior: unpack(s.LogPrior),
	}
	nl, nf := len(m.labels), len(m.features)
	if nl < 2 || len(m.idf) != nf || len(m.weights) != nf*nl || len(m.bias) != nl || len(m.logPrior) != nl {
		return nil, fmt.Errorf("load model: inconsistent sizes (%d labels, %d features, %d weights)", nl, nf, len(m.weights))
	}
	m.vocab = make(map[string]int32, nf)
	for i, f := range m.features {
		m.vocab[f] = int32(i)
	}
	return m, nil
}

func pack(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// unpack returns nil for a length that is not a multiple of 4, which Load
// then reports as inconsistent.
func unpack(b []byte) []float32 {
	if len(b)%4 != 0 {
		return nil
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
