package api

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

// Assessor is the assessment side of the ticketing service; the API serves
// /api/v1/assessment when its Tickets also implement it (ticketing.Service
// does), and answers 404 otherwise.
type Assessor interface {
	// Assessment returns the month's ranking of tier, or of every ranked
	// tier when tier is "", as ticketing.Service.Assessment documents.
	Assessment(ctx context.Context, a hotline.Actor, month ticketing.Month, tier ticketing.Tier) ([]ticketing.UnitScore, error)
}

var assessmentParams = []string{"month", "tier", "format"}

// assessmentQuery is GET /api/v1/assessment's query.
type assessmentQuery struct {
	month  ticketing.Month
	tier   ticketing.Tier
	format string // json, csv or xlsx
}

type assessmentRowJSON struct {
	Unit             hotline.UnitID `json:"unit"`
	UnitName         string         `json:"unit_name"`
	Tier             ticketing.Tier `json:"tier"`
	ValidCallbacks   int            `json:"valid_callbacks"`
	ResponseRate     float64        `json:"response_rate"`
	ResolutionRate   float64        `json:"resolution_rate"`
	SatisfactionRate float64        `json:"satisfaction_rate"`
	Score            float64        `json:"score"`
	Rank             int            `json:"rank"`
	PreviousRank     int            `json:"previous_rank"`
	Movement         int            `json:"movement"`
	Class            string         `json:"class"`
	Complaints       int            `json:"complaints"` // streets: complaint tickets received in the month
}

// governanceJSON is one street of the 治理类 list.
type governanceJSON struct {
	Unit       hotline.UnitID `json:"unit"`
	UnitName   string         `json:"unit_name"`
	Complaints int            `json:"complaints"`
	Rank       int            `json:"rank"`
}

type assessmentJSON struct {
	Month      string              `json:"month"`
	Assessment []assessmentRowJSON `json:"assessment"`
	Governance []governanceJSON    `json:"governance"`
}

// round6 rounds to 1e-6, the precision ties are judged at, so that a
// hand-worked 0.725 is served as 0.725.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func toAssessmentRow(sc *ticketing.UnitScore, names map[hotline.UnitID]string) assessmentRowJSON {
	return assessmentRowJSON{
		Unit: sc.Unit, UnitName: names[sc.Unit], Tier: sc.Tier, ValidCallbacks: sc.Valid,
		ResponseRate: round6(sc.ResponseRate), ResolutionRate: round6(sc.ResolutionRate),
		SatisfactionRate: round6(sc.SatisfactionRate), Score: round6(sc.Score),
		Rank: sc.Rank, PreviousRank: sc.PrevRank, Movement: sc.Movement, Class: string(sc.Class),
		Complaints: sc.Complaints,
	}
}

// governanceList is the 治理类 list of the rows: the streets on it, in its
// order (most complaints first, ties by unit id), with the places the
// assessment gave them, so that a unit reading only its own row still sees
// its real place.
func governanceList(scores []ticketing.UnitScore, names map[hotline.UnitID]string) []governanceJSON {
	out := []governanceJSON{}
	for _, sc := range scores {
		if sc.GovernanceRank > 0 {
			out = append(out, governanceJSON{Unit: sc.Unit, UnitName: names[sc.Unit], Complaints: sc.Complaints, Rank: sc.GovernanceRank})
		}
	}
	slices.SortFunc(out, func(a, b governanceJSON) int {
		if c := cmp.Compare(a.Rank, b.Rank); c != 0 {
			return c
		}
		return cmp.Compare(a.Unit, b.Unit)
	})
	return out
}

func (s *server) getAssessment(w http.ResponseWriter, r *http.Request) {
	assessor, ok := s.tickets.(Assessor)
	if !ok {
		s.fail(w, r, hotline.Errorf(hotline.ENOTFOUND, "the assessment is not enabled"))
		return
	}
	q, err := parseAssessmentQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scores, err := assessor.Assessment(r.Context(), actor(r), q.month, q.tier)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, err := s.unitNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := assessmentJSON{Month: q.month.String(), Assessment: make([]assessmentRowJSON, 0, len(scores)),
		Governance: governanceList(scores, names)}
	for i := range scores {
		out.Assessment = append(out.Assessment, toAssessmentRow(&scores[i], names))
	}
	switch q.format {
	case "csv":
		s.writeAssessmentCSV(w, out)
	case "xlsx":
		s.writeAssessmentXLSX(w, r, out, q.tier)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

// parseAssessmentQuery reads month (required), tier and format. Every bad
// value is named.
func parseAssessmentQuery(q url.Values) (assessmentQuery, error) {
	var v hotline.Invalid
	checkParams(&v, q, assessmentParams...)
	var out assessmentQuery
	if m := q.Get("month"); m == "" {
		v.Add("month", "required, YYYY-MM")
	} else if month, err := ticketing.ParseMonth(m); err != nil {
		v.Add("month", "must be YYYY-MM")
	} else {
		out.month = month
	}
	if t := q.Get("tier"); t != "" {
		out.tier = rankedTier(&v, t)
	}
	switch f := q.Get("format"); f {
	case "", "json":
		out.format = "json"
	case "csv", "xlsx":
		out.format = f
	default:
		v.Add("format", "must be json, csv or xlsx")
	}
	return out, v.Err("invalid query")
}

// rankedTier parses a tier that the assessment ranks.
func rankedTier(v *hotline.Invalid, s string) ticketing.Tier {
	for _, t := range ticketing.RankedTiers {
		if string(t) == s {
			return t
		}
	}
	v.Add("tier", "must be street, district, district_dept, city_dept or enterprise")
	return ""
}

// unitNames maps every unit to its name.
func (s *server) unitNames(ctx context.Context) (map[hotline.UnitID]string, error) {
	units, err := s.tickets.Units(ctx, ticketing.UnitFilter{})
	if err != nil {
		return nil, fmt.Errorf("units for the assessment: %w", err)
	}
	names := make(map[hotline.UnitID]string, len(units))
	for _, u := range units {
		names[u.ID] = u.Name
	}
	return names, nil
}

// assessmentHeader is the CSV header: Chinese for the people reading it in
// Excel, then the JSON name for scripts.
var assessmentHeader = []string{
	"单位 unit", "单位名称 unit_name", "层级 tier", "有效回访 valid_callbacks",
	"响应率 response_rate", "解决率 resolution_rate", "满意率 satisfaction_rate", "综合得分 score",
	"排名 rank", "上月排名 previous_rank", "名次变化 movement", "类别 class",
}

// classLabels are the Chinese names of the classes in the CSV.
var classLabels = map[string]string{
	string(ticketing.ClassAdvanced): "先进", string(ticketing.ClassImproved): "进步",
	string(ticketing.ClassRectify): "整改", string(ticketing.ClassGovernance): "治理",
}

// utf8BOM lets Excel read the CSV's Chinese as UTF-8.
const utf8BOM = "\uFEFF"

// writeAssessmentCSV writes the rows as an attachment. Unranked units (rank
// 0) have empty rates, score and rank cells; the class cell holds the
// Chinese name followed by the code, e.g. "先进 advanced".
func (s *server) writeAssessmentCSV(w http.ResponseWriter, a assessmentJSON) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="assessment-%s.csv"`, a.Month))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(utf8BOM))
	cw := csv.NewWriter(w)
	_ = cw.Write(assessmentHeader)
	for i := range a.Assessment {
		_ = cw.Write(assessmentCSVRow(&a.Assessment[i]))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Warn("assessment csv", "month", a.Month, "err", err)
	}
}

func assessmentCSVRow(r *assessmentRowJSON) []string {
	ranked := r.Rank > 0
	num := func(x float64) string {
		if !ranked {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	rank := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	class := ""
	if r.Class != "" {
		class = classLabels[r.Class] + " " + r.Class
	}
	return []string{
		string(r.Unit), csvSafe(r.UnitName), string(r.Tier), strconv.Itoa(r.ValidCallbacks),
		num(r.ResponseRate), num(r.ResolutionRate), num(r.SatisfactionRate), num(r.Score),
		rank(r.Rank), rank(r.PreviousRank), strconv.Itoa(r.Movement), class,
	}
}

// csvSafe keeps a spreadsheet from reading a text cell as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

// The ticketing service serves the assessment.
var _ Assessor = (*ticketing.Service)(nil)
