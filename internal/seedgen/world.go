package seedgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/configs"
	"github.com/cityhotline/hotline/ticketing"
)

// world is the reference data indexed for generation: where requests come
// from, what they are about and who handles them.
type world struct {
	units    map[hotline.UnitID]*ticketing.Unit
	cats     map[hotline.CategoryID]*ticketing.Category
	leaves   []*ticketing.Category // non-heating leaves, by id
	leafCum  []float64             // cumulative weights of leaves
	heating  map[string]*ticketing.Category
	streets  []*place
	placeCum []float64
	articles map[hotline.CategoryID]string // a knowledge-base article per category
	resolver *ticketing.Resolver
	svc      *ticketing.Service

	mu  sync.Mutex
	sug map[string]*ticketing.Suggestion
}

// place is a street/town with the residential compounds its addresses use.
type place struct {
	street    *ticketing.Unit
	district  *ticketing.Unit
	compounds []string
	roads     []string
}

func newWorld(ref *configs.ReferenceData, seed uint64) (*world, error) {
	w := &world{units: map[hotline.UnitID]*ticketing.Unit{}, cats: map[hotline.CategoryID]*ticketing.Category{},
		heating: map[string]*ticketing.Category{}, articles: map[hotline.CategoryID]string{}, sug: map[string]*ticketing.Suggestion{}}
	for _, u := range ref.Units {
		w.units[u.ID] = u
	}
	for _, c := range ref.Categories {
		w.cats[c.ID] = c
	}
	for _, a := range ref.Articles {
		if _, ok := w.articles[a.Category]; !ok && a.Category != "" {
			w.articles[a.Category] = a.ID
		}
	}
	w.resolver = ticketing.NewResolver(ref.Units, nil)
	w.svc = ticketing.NewService(ticketing.DefaultConfig(), refStore{ref: ref}, nil, nil, nil)
	w.indexLeaves(ref.Categories)
	if err := w.indexPlaces(ref.Units, seed); err != nil {
		return nil, err
	}
	if len(w.leaves) == 0 || len(w.streets) == 0 {
		return nil, fmt.Errorf("seedgen: the reference data has no categories or streets")
	}
	return w, nil
}

func (w *world) indexLeaves(cats []*ticketing.Category) {
	sum := 0.0
	for _, c := range configs.Leaves(cats) {
		if c.Disabled {
			continue
		}
		if c.Parent == "heating" {
			w.heating[string(c.ID)] = c
			continue
		}
		w.leaves = append(w.leaves, c)
	}
	sort.Slice(w.leaves, func(i, j int) bool { return w.leaves[i].ID < w.leaves[j].ID })
	for _, c := range w.leaves {
		sum += categoryWeight(c.ID)
		w.leafCum = append(w.leafCum, sum)
	}
}

// core districts are denser: their streets file more requests.
var coreDistricts = map[hotline.UnitID]float64{"110101": 1.6, "110102": 1.6, "110105": 1.8, "110108": 1.7, "110106": 1.4, "110107": 1.2}

func (w *world) indexPlaces(units []*ticketing.Unit, seed uint64) error {
	sum := 0.0
	for _, u := range units {
		if u.Tier != ticketing.TierStreet || u.Disabled {
			continue
		}
		d := w.units[u.Parent]
		if d == nil {
			continue
		}
		rng := rand.New(rand.NewPCG(seed, hashString(string(u.ID))))
		p := &place{street: u, district: d}
		for tries := 0; len(p.compounds) < 12 && tries < 60; tries++ {
			c := compoundName(rng)
			if w.resolvesTo(p, c) {
				p.compounds = append(p.compounds, c)
			}
		}
		for tries := 0; len(p.roads) < 4 && tries < 30; tries++ {
			r := roadName(rng)
			if w.resolvesTo(p, r) {
				p.roads = append(p.roads, r)
			}
		}
		if len(p.compounds) == 0 || len(p.roads) == 0 {
			continue
		}
		w.streets = append(w.streets, p)
		wt := coreDistricts[d.ID]
		if wt == 0 {
			wt = 1
		}
		sum += wt
		w.placeCum = append(w.placeCum, sum)
	}
	return nil
}

// resolvesTo reports whether an address using name still resolves to p.
func (w *world) resolvesTo(p *place, name string) bool {
	a := w.resolver.Resolve("北京市"+p.district.Name+p.street.Name+name+"1号", 0, 0)
	return a.Street == p.street.ID
}

// suggest is the catalogue's answer for a category in a street, cached.
func (w *world) suggest(cat hotline.CategoryID, p *place) *ticketing.Suggestion {
	key := string(cat) + "|" + string(p.street.ID)
	w.mu.Lock()
	defer w.mu.Unlock()
	if s, ok := w.sug[key]; ok {
		return s
	}
	s, err := w.svc.Suggest(context.Background(), cat, "北京市"+p.district.Name+p.street.Name, 0, 0)
	if err != nil || s.Unit == "" {
		s = &ticketing.Suggestion{District: p.district.ID, Street: p.street.ID, Unit: p.district.ID}
	}
	w.sug[key] = s
	return s
}

func pick(rng *rand.Rand, cum []float64) int {
	x := rng.Float64() * cum[len(cum)-1]
	return sort.SearchFloat64s(cum, x)
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// refStore serves the reference data to a ticketing.Service, so the
// generator asks the real catalogue which unit takes a request. Only the
// reference reads are implemented; the service calls nothing else here.
type refStore struct {
	ticketing.Store
	ref *configs.ReferenceData
}

func (s refStore) FindUnits(context.Context, ticketing.UnitFilter) ([]*ticketing.Unit, error) {
	return s.ref.Units, nil
}

func (s refStore) FindCategories(context.Context) ([]*ticketing.Category, error) {
	return s.ref.Categories, nil
}

func (s refStore) FindRules(context.Context) ([]*ticketing.Rule, error) { return s.ref.Rules, nil }
