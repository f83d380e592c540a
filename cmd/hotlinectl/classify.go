package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cityhotline/hotline/analytics/classify"
)

// classifyStderr receives notes about skipped rows; tests replace it.
var classifyStderr io.Writer = os.Stderr

// classifyFlags are the flags shared by train and eval.
type classifyFlags struct {
	csv, text, label, model, part string
	augment                       string
	fraction                      float64
	epochs                        int
	l2                            float64
	minCount                      int
	balance                       float64
	nb                            float64
	folds                         int
	svmMix, svmC, svmTemp         float64
	views                         []classify.FeatureSpec
	seed                          uint64
}

const classifyUsage = `usage:
  hotlinectl classify train --csv FILE --text COLUMN --label COLUMN --model OUT [--part all|train|test] [--train-fraction 0.8]
  hotlinectl classify eval  --csv FILE --text COLUMN --label COLUMN --model MODEL [--part all|train|test] [--train-fraction 0.8]
  hotlinectl classify cv    --csv FILE --text COLUMN --label COLUMN [--folds 5] [--part all|train|test] [training flags]

--text may name several columns joined by commas (their texts are joined by a newline).
train and cv also take --augment COLUMN (rows with COLUMN non-empty are learned a second
time as text + COLUMN) and the tuning flags --epochs, --l2, --min-count, --balance, --nb,
--svm-mix, --svm-c, --svm-temp, --views, --seed. cv prints the cross-validated scores of
those flags (choose flags with cv on --part train, never on the test part).
A row belongs to "test" when FNV-1a 64 of its first text column's UTF-8 bytes, mod 1000,
is >= train-fraction*1000, and to "train" otherwise; --part picks the rows to use.`

// runClassify dispatches "classify train", "classify eval" and "classify cv".
func runClassify(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "train" && args[0] != "eval" && args[0] != "cv") {
		fmt.Fprintln(classifyStderr, classifyUsage)
		return errUsage
	}
	f, err := parseClassifyFlags(args[0], args[1:])
	if err != nil {
		return err
	}
	if args[0] == "eval" {
		f.augment = "" // evaluation reads each row once
	}
	examples, err := readClassifyCSV(f)
	if err != nil {
		return err
	}
	switch args[0] {
	case "train":
		return classifyTrain(ctx, f, examples, stdout)
	case "cv":
		return classifyCV(ctx, f, examples, stdout)
	}
	return classifyEval(f, examples, stdout)
}

func parseClassifyFlags(sub string, args []string) (classifyFlags, error) {
	var f classifyFlags
	fs := flag.NewFlagSet("classify "+sub, flag.ContinueOnError)
	fs.SetOutput(classifyStderr)
	fs.Usage = func() { fmt.Fprintln(classifyStderr, classifyUsage); fs.PrintDefaults() }
	fs.StringVar(&f.csv, "csv", "", "labelled CSV file (UTF-8, header row)")
	fs.StringVar(&f.text, "text", "", "text column name(s), comma-separated")
	fs.StringVar(&f.label, "label", "", "label column name")
	fs.StringVar(&f.model, "model", "", "model file to write (train) or read (eval)")
	fs.StringVar(&f.augment, "augment", "", "train only: rows with this column non-empty are also learned as text + column")
	fs.StringVar(&f.part, "part", "all", "rows to use: all, train or test")
	fs.Float64Var(&f.fraction, "train-fraction", 0.8, "share of rows in the train part")
	fs.Float64Var(&f.svmMix, "svm-mix", 0, "weight in [0,1] of a one-vs-rest NB-SVM's probabilities (0: the default, 0.5; -1: none)")
	fs.Float64Var(&f.svmC, "svm-c", 0, "the SVM's C (0: the default, 0.3)")
	fs.Float64Var(&f.svmTemp, "svm-temp", 0, "the SVM margins' softmax temperature (0: the default, 2)")
	fs.Func("views", "feature views of an averaged ensemble, comma-separated, e.g. c1-3+w1-2,c1-4 (default: one model, c1-3+w1-2)", func(v string) error {
		f.views = nil
		for s := range strings.SplitSeq(v, ",") {
			spec, err := classify.ParseFeatureSpec(s)
			if err != nil {
				return err
			}
			f.views = append(f.views, spec)
		}
		return nil
	})
	fs.Uint64Var(&f.seed, "seed", 0, "shuffling seed (0: the default, 1)")
	fs.IntVar(&f.folds, "folds", 5, "cv only: number of cross-validation folds")
	fs.IntVar(&f.epochs, "epochs", 0, "training passes (0: the default)")
	fs.Float64Var(&f.l2, "l2", 0, "L2 penalty (0: the default)")
	fs.IntVar(&f.minCount, "min-count", 0, "drop features seen in fewer examples (0: the default)")
	fs.Float64Var(&f.balance, "balance", 0, "label-prior correction in [0,1] (0: the default, 1; -1: none)")
	fs.Float64Var(&f.nb, "nb", 0, "naive Bayes ratio smoothing (0: the default, 0.5; -1: plain softmax)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, errUsage
		}
		return f, fmt.Errorf("classify %s: %w", sub, err)
	}
	return f, f.check(sub)
}

func (f classifyFlags) check(sub string) error {
	for _, req := range []struct{ name, v string }{{"csv", f.csv}, {"text", f.text}, {"label", f.label}, {"model", f.model}} {
		if req.v == "" && (req.name != "model" || sub != "cv") {
			return fmt.Errorf("classify %s: --%s is required", sub, req.name)
		}
	}
	if f.part != "all" && f.part != "train" && f.part != "test" {
		return fmt.Errorf("classify %s: --part must be all, train or test, not %q", sub, f.part)
	}
	if f.fraction < 0 || f.fraction > 1 {
		return fmt.Errorf("classify %s: --train-fraction must be in [0,1], not %g", sub, f.fraction)
	}
	return nil
}

// classifyPart returns "train" or "test" for a row whose first text column
// is text: test when FNV-1a 64 of its UTF-8 bytes mod 1000 is at least
// fraction×1000.
func classifyPart(text string, fraction float64) string {
	h := fnv.New64a()
	h.Write([]byte(text))
	if h.Sum64()%1000 >= uint64(math.Round(fraction*1000)) {
		return "test"
	}
	return "train"
}

// readClassifyCSV reads the examples of the chosen part; rows with an
// empty text or label are skipped and counted on classifyStderr.
func readClassifyCSV(f classifyFlags) ([]classify.Example, error) {
	t, err := openTable(f.csv)
	if err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	defer t.Close()
	cols, err := classifyColumns(t, f)
	if err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	var examples []classify.Example
	skipped := 0
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("classify: %w", err)
		}
		e, ok := classifyRow(rec, cols.text, cols.label)
		if !ok {
			skipped++
			continue
		}
		// The split hashes the first text column as written (untrimmed), so
		// a given file always splits the same way.
		if f.part != "all" && classifyPart(rawField(rec, cols.text[0]), f.fraction) != f.part {
			continue
		}
		examples = append(examples, e)
		if cols.augment >= 0 {
			if a, ok := classifyRow(rec, append(slices.Clip(cols.text), cols.augment), cols.label); ok && a.Text != e.Text {
				examples = append(examples, a)
			}
		}
	}
	if skipped > 0 {
		fmt.Fprintf(classifyStderr, "classify: skipped %d rows with an empty text or label\n", skipped)
	}
	return examples, nil
}

// classifyCols are the column indexes a command reads; augment is -1
// without --augment.
type classifyCols struct {
	text           []int
	label, augment int
}

// classifyColumns finds the columns named by the flags.
func classifyColumns(t *table, f classifyFlags) (classifyCols, error) {
	cols := classifyCols{augment: -1}
	var err error
	if cols.text, err = t.columns("text", f.text); err != nil {
		return cols, err
	}
	if cols.label, err = t.column("label", f.label); err != nil {
		return cols, err
	}
	cols.augment, err = t.column("augment", f.augment)
	return cols, err
}

// classifyRow builds an example; the text is the non-empty text columns
// joined by a newline.
func classifyRow(rec []string, textCols []int, labelCol int) (classify.Example, bool) {
	var parts []string
	for _, c := range textCols {
		if s := field(rec, c); s != "" {
			parts = append(parts, s)
		}
	}
	e := classify.Example{Text: strings.Join(parts, "\n"), Label: field(rec, labelCol)}
	return e, e.Text != "" && e.Label != ""
}

func classifyTrain(ctx context.Context, f classifyFlags, examples []classify.Example, stdout io.Writer) error {
	start := time.Now()
	m, err := classify.TrainContext(ctx, examples, f.options())
	if err != nil {
		return fmt.Errorf("classify train: %w", err)
	}
	secs := time.Since(start).Seconds()
	if err := saveClassifyModel(m, f.model); err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"examples": len(examples), "labels": len(m.Labels()), "features": m.NumFeatures(),
		"seconds": math.Round(secs*1000) / 1000, "model": f.model,
	})
}

// options are the training options the tuning flags ask for.
func (f classifyFlags) options() classify.Options {
	return classify.Options{
		Epochs: f.epochs, L2: f.l2, MinCount: f.minCount, Balance: f.balance, NB: f.nb,
		SVMMix: f.svmMix, SVMC: f.svmC, SVMTemp: f.svmTemp, Views: f.views, Seed: f.seed,
	}
}

// classifyCV prints the cross-validated report of the tuning flags'
// options on the chosen rows (see classify.CrossValidate).
func classifyCV(ctx context.Context, f classifyFlags, examples []classify.Example, stdout io.Writer) error {
	start := time.Now()
	rep, err := classify.CrossValidate(ctx, examples, f.folds, f.options())
	if err != nil {
		return fmt.Errorf("classify cv: %w", err)
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"n": rep.N, "folds": f.folds, "accuracy": rep.Accuracy, "macro_f1": rep.MacroF1,
		"top3_accuracy": rep.Top3Accuracy, "seconds": math.Round(time.Since(start).Seconds()*10) / 10,
	})
}

func saveClassifyModel(m *classify.Model, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("classify train: %w", err)
	}
	if err := m.Save(out); err != nil {
		out.Close()
		return fmt.Errorf("classify train: write %s: %w", path, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("classify train: write %s: %w", path, err)
	}
	return nil
}

// classifyEvalReport is what eval prints.
type classifyEvalReport struct {
	classify.Report
	PredictMicros float64 `json:"predict_us_mean"`
}

func classifyEval(f classifyFlags, examples []classify.Example, stdout io.Writer) error {
	in, err := os.Open(f.model)
	if err != nil {
		return fmt.Errorf("classify eval: %w", err)
	}
	m, err := classify.Load(in)
	in.Close()
	if err != nil {
		return fmt.Errorf("classify eval: %s: %w", f.model, err)
	}
	if len(examples) == 0 {
		return fmt.Errorf("classify eval: no examples in part %q of %s", f.part, f.csv)
	}
	start := time.Now()
	rep := classify.Evaluate(m, examples)
	us := float64(time.Since(start).Microseconds()) / float64(len(examples))
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(classifyEvalReport{Report: rep, PredictMicros: math.Round(us*10) / 10})
}

// rawField is rec[i] as written, "" when the row is short.
func rawField(rec []string, i int) string {
	if i < len(rec) {
		return rec[i]
	}
	return ""
}
