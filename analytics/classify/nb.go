package classify

import "math"

// nbRatios returns, feature-major like Model.weights, the magnitude of the
// naive Bayes log-count ratio of every feature for every label against the
// other labels (Wang & Manning's NBSVM, one label against the rest):
//
//	r[f,l] = |ln( (n[f,l]+α) / (N[l]+α·F) ÷ (n[f,¬l]+α) / (N[¬l]+α·F) )|
//
// where n[f,l] counts the examples of label l that have feature f, N[l] is
// the sum of n[·,l], F the number of features, and ¬l every other label.
// fit scales each weight's input by its ratio: a feature that tells a label
// from the rest learns that label fast, one seen evenly everywhere barely
// moves it. Only the magnitude matters, since the weight carries the sign.
func nbRatios(xs []vector, y []int, nf, nl int, alpha float64) []float32 {
	n := make([]float64, nf*nl)
	for i, x := range xs {
		for _, f := range x.idx {
			n[int(f)*nl+y[i]]++
		}
	}
	perLabel := make([]float64, nl)
	var total float64
	for j, c := range n {
		perLabel[j%nl] += c
		total += c
	}
	r := make([]float32, nf*nl)
	smooth := alpha * float64(nf)
	for f := range nf {
		row := n[f*nl : f*nl+nl]
		var all float64
		for _, c := range row {
			all += c
		}
		for l, c := range row {
			in := (c + alpha) / (perLabel[l] + smooth)
			out := (all - c + alpha) / (total - perLabel[l] + smooth)
			r[f*nl+l] = float32(math.Abs(math.Log(in / out)))
		}
	}
	return r
}
