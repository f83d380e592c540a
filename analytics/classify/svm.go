package classify

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// svmFit trains one linear SVM per label against the rest, L2-regularised
// with the squared hinge loss, by dual coordinate descent (Hsieh et al.
// 2008; LIBLINEAR's -s 1 with a bias feature of value 1):
//
//	min ½‖w‖² + C Σ max(0, 1 − yᵢ(w·xᵢ+b))²
//
// When r is set (naive Bayes ratios, feature-major) each input xᵢ[f] is
// scaled by r[f,l] for label l, as in Wang & Manning's NBSVM; the returned
// weights (feature-major, like Model.weights) have r folded in, so w·x+b
// is the margin. Examples are visited in a seeded random order; training
// stops after epochs passes or once no dual variable moves noticeably.
func svmFit(ctx context.Context, xs []vector, y []int, nf, nl int, r []float32, c float64, epochs int, seed uint64) ([]float32, []float32, error) {
	weights := make([]float32, nf*nl)
	bias := make([]float32, nl)
	rng := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	for l := range nl {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("classify: training stopped: %w", err)
		}
		w, b := svmBinary(xs, y, l, nf, nl, r, c, epochs, rng)
		for f, v := range w {
			scale := float32(1)
			if r != nil {
				scale = r[f*nl+l]
			}
			weights[f*nl+l] = float32(v) * scale
		}
		bias[l] = float32(b)
	}
	return weights, bias, nil
}

// svmBinary solves the dual problem for label l against the rest and
// returns the primal weights (in the scaled input space) and bias.
func svmBinary(xs []vector, y []int, l, nf, nl int, r []float32, c float64, epochs int, rng *rand.Rand) ([]float64, float64) {
	w := make([]float64, nf)
	var b float64
	diag := 1 / (2 * c) // the squared hinge's term on the dual's diagonal
	alpha := make([]float64, len(xs))
	qii := make([]float64, len(xs))
	sign := make([]float64, len(xs))
	for i, x := range xs {
		q := 1.0 + diag // the bias feature contributes 1
		for k, f := range x.idx {
			v := float64(x.val[k]) * ratio(r, f, l, nl)
			q += v * v
		}
		qii[i] = q
		sign[i] = -1
		if y[i] == l {
			sign[i] = 1
		}
	}
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	for range epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var moved float64
		for _, i := range order {
			x := xs[i]
			margin := b
			for k, f := range x.idx {
				margin += w[f] * float64(x.val[k]) * ratio(r, f, l, nl)
			}
			g := sign[i]*margin - 1 + diag*alpha[i]
			if alpha[i] == 0 && g >= 0 {
				continue // projected gradient is zero
			}
			a := max(alpha[i]-g/qii[i], 0)
			d := (a - alpha[i]) * sign[i]
			if d == 0 {
				continue
			}
			alpha[i] = a
			moved = max(moved, math.Abs(d))
			for k, f := range x.idx {
				w[f] += d * float64(x.val[k]) * ratio(r, f, l, nl)
			}
			b += d
		}
		if moved < 1e-4 {
			break
		}
	}
	return w, b
}

// ratio is r[f,l], or 1 without ratios.
func ratio(r []float32, f int32, l, nl int) float64 {
	if r == nil {
		return 1
	}
	return float64(r[int(f)*nl+l])
}
