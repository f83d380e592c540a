package classify

import (
	"bufio"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"slices"
)

// formatMagic and formatVersion head every saved model. Version 2 added
// the SVM head and the views' models; Load reads versions 1 and 2 and
// refuses any other.
const (
	formatMagic   = "hotline-classify"
	formatVersion = 2
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
	// Version 2; gob leaves them zero when reading version 1.
	SVMWeights, SVMBias []byte
	SVMTemp, SVMMix     float32
	Members             []saved
}

// Save writes the model in a versioned gob format.
func (m *Model) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := gob.NewEncoder(bw)
	body := m.saved()
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
	if h.Version != 1 && h.Version != formatVersion {
		return nil, fmt.Errorf("load model: format version %d, this build reads versions 1 to %d", h.Version, formatVersion)
	}
	var s saved
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	return fromSaved(s, 0)
}

// saved is the model's file body.
func (m *Model) saved() saved {
	s := saved{
		Spec: m.spec, Labels: m.labels, Features: m.features,
		IDF: pack(m.idf), Weights: pack(m.weights), Bias: pack(m.bias),
		LogPrior: pack(m.logPrior), Balance: m.balance,
	}
	if m.svm != nil {
		s.SVMWeights, s.SVMBias = pack(m.svm.weights), pack(m.svm.bias)
		s.SVMTemp, s.SVMMix = m.svm.temp, m.svm.mix
	}
	for _, mem := range m.members {
		s.Members = append(s.Members, mem.saved())
	}
	return s
}

// fromSaved checks a file body's sizes and builds its model; depth counts
// nested views, of which a model written by Save has at most one level.
func fromSaved(s saved, depth int) (*Model, error) {
	if len(s.Members) > 0 {
		if depth > 0 {
			return nil, fmt.Errorf("load model: views nested in views")
		}
		m := &Model{labels: s.Labels}
		for i, ms := range s.Members {
			mem, err := fromSaved(ms, depth+1)
			if err != nil {
				return nil, fmt.Errorf("view %d: %w", i, err)
			}
			if !slices.Equal(mem.labels, m.labels) {
				return nil, fmt.Errorf("load model: view %d has other labels", i)
			}
			m.members = append(m.members, mem)
		}
		return m, nil
	}
	m := &Model{
		spec: s.Spec, labels: s.Labels, features: s.Features, balance: s.Balance,
		idf: unpack(s.IDF), weights: unpack(s.Weights), bias: unpack(s.Bias), logPrior: unpack(s.LogPrior),
	}
	nl, nf := len(m.labels), len(m.features)
	if nl < 2 || len(m.idf) != nf || len(m.weights) != nf*nl || len(m.bias) != nl || len(m.logPrior) != nl {
		return nil, fmt.Errorf("load model: inconsistent sizes (%d labels, %d features, %d weights)", nl, nf, len(m.weights))
	}
	if s.SVMMix > 0 {
		m.svm = &svmHead{weights: unpack(s.SVMWeights), bias: unpack(s.SVMBias), temp: s.SVMTemp, mix: s.SVMMix}
		if len(m.svm.weights) != nf*nl || len(m.svm.bias) != nl {
			return nil, fmt.Errorf("load model: inconsistent SVM sizes (%d weights, %d biases)", len(m.svm.weights), len(m.svm.bias))
		}
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
