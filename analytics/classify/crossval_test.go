package classify

import (
	"context"
	"testing"
)

func TestFoldOf(t *testing.T) {
	seen := map[int]bool{}
	for _, e := range smallCorpus() {
		f := FoldOf(e.Text, 5)
		if f < 0 || f >= 5 {
			t.Fatalf("fold %d", f)
		}
		if g := FoldOf(e.Text+"\n正文", 5); g != f {
			t.Errorf("%q: title in fold %d, title and body in %d", e.Text, f, g)
		}
		seen[f] = true
	}
	if len(seen) < 4 {
		t.Errorf("40 titles fell in %d of 5 folds", len(seen))
	}
}

// TestCrossValidate scores every title once, skips the augmented
// title-and-body examples, and on the small corpus gets most right.
func TestCrossValidate(t *testing.T) {
	ex := smallCorpus()
	n := len(ex)
	ex = append(ex, Example{Text: ex[0].Text + "\n家里只有十度", Label: ex[0].Label})
	rep, err := CrossValidate(context.Background(), ex, 5, Options{SVMMix: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != n {
		t.Errorf("scored %d examples, want %d", rep.N, n)
	}
	if rep.Accuracy < 0.7 || rep.Top3Accuracy < rep.Accuracy {
		t.Errorf("accuracy %.3f, top-3 %.3f", rep.Accuracy, rep.Top3Accuracy)
	}
	if _, err := CrossValidate(context.Background(), ex, 1, Options{}); err == nil {
		t.Error("1 fold accepted")
	}
}
