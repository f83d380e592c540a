package ticketing

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/cityhotline/hotline"
)

// Resolver finds the district and street/town of an address or a position.
// Addresses are matched against the names and aliases of the configured
// districts and streets; positions against GeoJSON polygons where configured.
type Resolver struct {
	districts []areaName // longest name first
	streets   []areaName
	parent    map[hotline.UnitID]hotline.UnitID
	regions   []Region
}

type areaName struct {
	name string
	unit hotline.UnitID
}

// NewResolver indexes the districts and streets among units, and regions.
func NewResolver(units []*Unit, regions []Region) *Resolver {
	r := &Resolver{parent: map[hotline.UnitID]hotline.UnitID{}, regions: regions}
	for _, u := range units {
		if u.Disabled {
			continue
		}
		var list *[]areaName
		switch u.Tier {
		case TierDistrict:
			list = &r.districts
		case TierStreet:
			list = &r.streets
			r.parent[u.ID] = u.Parent
		default:
			continue
		}
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			if n = normalizeAddress(n); len([]rune(n)) >= 2 {
				*list = append(*list, areaName{n, u.ID})
			}
		}
	}
	for _, l := range [][]areaName{r.districts, r.streets} {
		sort.SliceStable(l, func(i, j int) bool { return len(l[i].name) > len(l[j].name) })
	}
	return r
}

func normalizeAddress(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\u3000':
			return -1
		}
		return r
	}, s)
	return s
}

// Resolve returns the area of a position (when it falls in a configured
// region) or else of an address text.
func (r *Resolver) Resolve(address string, lat, lng float64) Area {
	if lat != 0 || lng != 0 {
		if a := r.resolvePosition(lat, lng); a.Method != "" {
			return a
		}
	}
	return r.resolveAddress(address)
}

func (r *Resolver) resolveAddress(address string) Area {
	text := normalizeAddress(address)
	var a Area
	for _, d := range r.districts {
		if strings.Contains(text, d.name) {
			a.District = d.unit
			break
		}
	}
	var candidates []hotline.UnitID
	best := 0
	for _, s := range r.streets {
		if len(s.name) < best {
			break
		}
		if !strings.Contains(text, s.name) {
			continue
		}
		if a.District != "" && r.parent[s.unit] != a.District {
			continue
		}
		best = len(s.name)
		if !containsUnit(candidates, s.unit) {
			candidates = append(candidates, s.unit)
		}
	}
	if len(candidates) == 1 { // an ambiguous name resolves no street
		a.Street = candidates[0]
		a.District = r.parent[a.Street]
	}
	if a.District != "" {
		a.Method = "address"
	}
	return a
}

func containsUnit(list []hotline.UnitID, u hotline.UnitID) bool {
	for _, x := range list {
		if x == u {
			return true
		}
	}
	return false
}

func (r *Resolver) resolvePosition(lat, lng float64) Area {
	var a Area
	for i := range r.regions {
		reg := &r.regions[i]
		if !reg.Contains(lng, lat) {
			continue
		}
		if _, isStreet := r.parent[reg.Unit]; isStreet {
			a.Street, a.District = reg.Unit, r.parent[reg.Unit]
			break // a street is as precise as we get
		}
		a.District = reg.Unit
	}
	if a.District != "" {
		a.Method = "position"
	}
	return a
}

// Region is a unit's area as polygons (each an outer ring and holes) in
// longitude/latitude.
type Region struct {
	Unit     hotline.UnitID
	Polygons [][][][2]float64
	min, max [2]float64
}

// Contains reports whether the point (x = longitude, y = latitude) lies in
// the region: inside an outer ring and outside its holes.
func (g *Region) Contains(x, y float64) bool {
	if x < g.min[0] || x > g.max[0] || y < g.min[1] || y > g.max[1] {
		return false
	}
	for _, poly := range g.Polygons {
		if len(poly) == 0 || !ringContains(poly[0], x, y) {
			continue
		}
		inHole := false
		for _, hole := range poly[1:] {
			if ringContains(hole, x, y) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// ringContains is the even-odd ray-casting test.
func ringContains(ring [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi, xj, yj := ring[i][0], ring[i][1], ring[j][0], ring[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// ParseRegions reads a GeoJSON FeatureCollection whose features carry a
// "unit" property and a Polygon or MultiPolygon geometry.
func ParseRegions(data []byte) ([]Region, error) {
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct {
				Unit string `json:"unit"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("parse regions: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("parse regions: type %q, want FeatureCollection", fc.Type)
	}
	regions := make([]Region, 0, len(fc.Features))
	for i, f := range fc.Features {
		if f.Properties.Unit == "" {
			return nil, fmt.Errorf("parse regions: feature %d has no \"unit\" property", i)
		}
		reg := Region{Unit: hotline.UnitID(f.Properties.Unit)}
		var err error
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			reg.Polygons = [][][][2]float64{p}
		case "MultiPolygon":
			err = json.Unmarshal(f.Geometry.Coordinates, &reg.Polygons)
		default:
			err = fmt.Errorf("geometry type %q, want Polygon or MultiPolygon", f.Geometry.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("parse regions: feature %d (%s): %w", i, reg.Unit, err)
		}
		if err := reg.bound(); err != nil {
			return nil, fmt.Errorf("parse regions: feature %d (%s): %w", i, reg.Unit, err)
		}
		regions = append(regions, reg)
	}
	return regions, nil
}

func (g *Region) bound() error {
	first := true
	for _, poly := range g.Polygons {
		if len(poly) == 0 {
			return fmt.Errorf("empty polygon")
		}
		for _, ring := range poly {
			if len(ring) < 4 {
				return fmt.Errorf("ring with %d positions, need at least 4", len(ring))
			}
			for _, p := range ring {
				if first {
					g.min, g.max, first = p, p, false
				}
				g.min[0], g.min[1] = min(g.min[0], p[0]), min(g.min[1], p[1])
				g.max[0], g.max[1] = max(g.max[0], p[0]), max(g.max[1], p[1])
			}
		}
	}
	if first {
		return fmt.Errorf("no polygons")
	}
	return nil
}
