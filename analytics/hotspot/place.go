package hotspot

import (
	"slices"
	"unicode"
)

// Place names are found in the text by their suffixes, since Chinese has no
// spaces: 小区, 社区, 村, 花园, 苑 … end a compound or community, 路, 街, 大道 a
// road, 街道, 镇, 乡 a street or town, and an anonymised or Latin-lettered
// prefix before 市/区/县 ("A3区") a district. The name runs back from the
// suffix over Han characters to a boundary: a character that is not Han, a
// function word (的, 在, 和 …) or the suffix of an earlier place ("A3区联丰路"
// gives A3区 and 联丰路). Heuristic, and only as good as the text: a compound
// whose name has no known suffix is not found.

// Place levels, coarse to fine.
const (
	levelDistrict = iota + 1
	levelStreet
	levelRoad
	levelCompound
)

// A placeToken is one place name found in a text.
type placeToken struct {
	name  string
	level int
}

var suffixes = []struct {
	s     []rune
	level int
}{
	// Longest first: 街道 before 街, 社区/小区 before 区.
	{[]rune("街道"), levelStreet}, {[]rune("社区"), levelCompound}, {[]rune("小区"), levelCompound},
	{[]rune("花园"), levelCompound}, {[]rune("家园"), levelCompound}, {[]rune("新城"), levelCompound},
	{[]rune("之城"), levelCompound}, {[]rune("公寓"), levelCompound}, {[]rune("大厦"), levelCompound},
	{[]rune("广场"), levelCompound}, {[]rune("学院"), levelCompound}, {[]rune("大学"), levelCompound},
	{[]rune("中学"), levelCompound}, {[]rune("小学"), levelCompound}, {[]rune("医院"), levelCompound},
	{[]rune("市场"), levelCompound}, {[]rune("公园"), levelCompound}, {[]rune("大道"), levelRoad},
	{[]rune("苑"), levelCompound}, {[]rune("村"), levelCompound}, {[]rune("路"), levelRoad},
	{[]rune("街"), levelRoad}, {[]rune("巷"), levelRoad}, {[]rune("镇"), levelStreet},
	{[]rune("乡"), levelStreet}, {[]rune("区"), levelDistrict}, {[]rune("县"), levelDistrict},
	{[]rune("市"), levelDistrict},
}

// boundary holds characters a place name never runs back over.
var boundary runeSet

func init() {
	for _, r := range "的在是了和与及于从到向对把被给我你他她们这那位住处个有为请该此其省市区县镇乡村路街号栋楼门等都也就还又要将" +
		"反映投诉举报咨询关于附近周边旁边位于地处一二三四五六七八九十几多" +
		"么且前临宜以上下侧内外往经过沿靠离距至由或但而并即若如因则又乃均被让使叫所整各每全本" {
		boundary.add(r)
	}
}

// notNames are stems that look like places by their suffix but are not.
var notNames = map[string]bool{
	"道路": true, "马路": true, "公路": true, "铁路": true, "线路": true, "电路": true, "水路": true,
	"出路": true, "网路": true, "思路": true, "街区": true, "城区": true, "市区": true, "园区": true,
	"景区": true, "校区": true, "厂区": true, "辖区": true, "地区": true, "片区": true, "新区": true,
	"农村": true, "乡村": true, "城乡": true, "城市": true, "城镇": true, "全市": true, "全区": true,
	"全县": true, "本市": true, "该市": true, "该区": true, "各区": true, "郊区": true, "灾区": true,
	"山区": true, "本村": true, "全村": true, "该村": true, "各村": true, "该小区": true, "本小区": true,
	"各小区": true, "老小区": true, "新小区": true, "大学": true, "中学": true, "小学": true,
	"医院": true, "市场": true, "广场": true, "公园": true,
	"跑路": true, "走路": true, "带路": true, "退路": true, "修路": true, "套路": true, "门路": true,
	"半路": true, "弯路": true, "老路": true, "新路": true, "堵路": true, "占路": true, "让路": true,
	"问路": true, "开路": true, "进路": true, "小路": true, "大路": true, "上街": true, "逛街": true,
	"当街": true, "沿街": true, "临街": true, "满街": true, "大街": true, "小巷": true,
}

// runeSet is a set of runes of the Basic Multilingual Plane.
type runeSet [0x10000 / 64]uint64

func (s *runeSet) add(r rune) { s[r/64] |= 1 << (r % 64) }

func (s *runeSet) has(r rune) bool { return r < 0x10000 && s[r/64]&(1<<(r%64)) != 0 }

// suffixEnds holds the last characters of the suffixes: only there can a
// place name end.
var suffixEnds runeSet

func init() {
	for _, sf := range suffixes {
		suffixEnds.add(sf.s[len(sf.s)-1])
	}
}

// notNameKeys holds notNames packed by packRunes, to look up without
// allocating or hashing strings.
var notNameKeys keySet

func init() {
	for n := range notNames {
		notNameKeys.add(packRunes([]rune(n)))
	}
}

// keySet is a small open addressing set of non-zero keys.
type keySet [512]uint64

func (ks *keySet) add(k uint64) {
	i := mix(k) & (uint64(len(ks)) - 1)
	for ks[i] != 0 && ks[i] != k {
		i = (i + 1) & (uint64(len(ks)) - 1)
	}
	ks[i] = k
}

// has reports whether k is in the set; 0 never is.
func (ks *keySet) has(k uint64) bool {
	i := mix(k) & (uint64(len(ks)) - 1)
	for ks[i] != 0 {
		if ks[i] == k {
			return true
		}
		i = (i + 1) & (uint64(len(ks)) - 1)
	}
	return false
}

// packRunes packs up to three runes into a key (0 for longer); runes are
// never 0, so keys of different lengths differ.
func packRunes(rs []rune) uint64 {
	if len(rs) > 3 {
		return 0
	}
	var k uint64
	for _, r := range rs {
		k = k<<21 | uint64(r)
	}
	return k
}

// found holds the place names found in texts, their runes back to back in
// one buffer, so that finding them allocates nothing once the buffers have
// grown.
type found struct {
	runes []rune
	toks  []foundPlace
}

// foundPlace is one name in found: runes[off:end].
type foundPlace struct {
	off, end int32
	level    int
}

func (f *found) name(t foundPlace) []rune { return f.runes[t.off:t.end] }

func (f *found) reset() { f.runes, f.toks = f.runes[:0], f.toks[:0] }

// push adds name at level unless found already holds it; upper folds ASCII
// letters to upper case ("a3区" is "A3区").
func (f *found) push(name []rune, level int, upper bool) {
	off := len(f.runes)
	for _, r := range name {
		if upper && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		f.runes = append(f.runes, r)
	}
	t := foundPlace{int32(off), int32(len(f.runes)), level}
	for _, o := range f.toks {
		if o.level == level && slices.Equal(f.name(o), f.name(t)) {
			f.runes = f.runes[:off]
			return
		}
	}
	f.toks = append(f.toks, t)
}

// places returns the place names in text, in order, without repeats.
func places(text string) []placeToken {
	var f found
	f.add([]rune(text))
	out := make([]placeToken, len(f.toks))
	for k, t := range f.toks {
		out[k] = placeToken{string(f.name(t)), t.level}
	}
	return out
}

// add adds the place names in rs not yet in f.
func (f *found) add(rs []rune) {
	floor := 0 // a name never runs back into the place before it
	for e, r := range rs {
		if !suffixEnds.has(r) {
			continue
		}
		for _, sf := range suffixes { // longest first
			i := e + 1 - len(sf.s)
			if i < 0 || sf.s[len(sf.s)-1] != r || !hasAt(rs, i, sf.s) {
				continue
			}
			if r == '街' && e+1 < len(rs) && rs[e+1] == '道' {
				break // 街道 ends at the next character
			}
			start, upper, ok := nameBefore(rs[floor:], i-floor, e+1-floor, sf.level)
			if ok {
				f.push(rs[floor+start:e+1], sf.level, upper)
				floor = e + 1
			}
			break
		}
	}
}

func hasAt(rs []rune, i int, s []rune) bool {
	for k, r := range s {
		if rs[i+k] != r {
			return false
		}
	}
	return true
}

// nameBefore finds the start of the name whose suffix is rs[i:end], and
// whether its letters are to be upper-cased.
func nameBefore(rs []rune, i, end, level int) (start int, upper, ok bool) {
	if level == levelDistrict {
		return districtBefore(rs, i, end)
	}
	start = i
	// A boundary character stops the name only once it has two characters
	// (锦和明家园, 祥龙上花园 keep their 和 and 上).
	for start > 0 && i-start < 6 && rs[start-1] >= 0x3400 && rs[start-1] <= 0x9FFF &&
		(i-start < 2 || !boundary.has(rs[start-1])) {
		start--
	}
	if i-start < 2 || notNameKeys.has(packRunes(rs[start:end])) || notNameKeys.has(packRunes(rs[i-1:end])) ||
		isSuffix(rs[start:i]) || allBoundary(rs[start:i]) { // 家园广场, 我们小区: no name
		return 0, false, false
	}
	return start, false, true
}

// districtBefore reads "A3区", "B市", "J10县": Latin letters and digits before
// 市/区/县 (the anonymised form, and codes like "798区" are rare enough).
func districtBefore(rs []rune, i, end int) (start int, upper, ok bool) {
	start = i
	for start > 0 && rs[start-1] < 0x80 && (unicode.IsLetter(rs[start-1]) || unicode.IsDigit(rs[start-1])) {
		start--
	}
	if start == i {
		start, ok = hanDistrictBefore(rs, i, end)
		return start, false, ok
	}
	if i-start > 4 {
		return 0, false, false
	}
	return start, true, true
}

// hanDistrictBefore reads "朝阳区", "密云县": two or three Han characters
// before 区/县/市 that start the text or follow a boundary (北京市朝阳区).
func hanDistrictBefore(rs []rune, i, end int) (int, bool) {
	start := i
	for start > 0 && i-start < 3 && rs[start-1] >= 0x3400 && rs[start-1] <= 0x9FFF && !boundary.has(rs[start-1]) {
		start--
	}
	if i-start < 2 || start > 0 && rs[start-1] >= 0x3400 && rs[start-1] <= 0x9FFF && !boundary.has(rs[start-1]) ||
		notNameKeys.has(packRunes(rs[start:end])) || notNameKeys.has(packRunes(rs[i-1:end])) {
		return 0, false
	}
	return start, true
}

// placeTail shortens a found name to the last two characters before its
// suffix and the suffix: "万科魅力之城" and "魅力之城" both give "魅力之城", so
// that two spellings of one place share a key. A name without a known
// suffix (a given place), or whose stem ends in one, is kept whole.
func placeTail(name string) string {
	if tail, cut := placeTailRunes([]rune(name)); cut {
		return string(tail)
	}
	return name
}

// placeTailRunes is placeTail on runes: the tail, and whether it is cut
// from a known suffix (else it is rs, kept whole).
func placeTailRunes(rs []rune) (tail []rune, cut bool) {
	for _, sf := range suffixes {
		n := len(sf.s)
		if len(rs) > n && hasAt(rs, len(rs)-n, sf.s) {
			if endsInSuffix(rs[:len(rs)-n]) {
				return rs, false // 某某花园小区: the tail 花园小区 would join every 花园
			}
			return rs[max(0, len(rs)-n-2):], true
		}
	}
	return rs, false
}

// endsInSuffix reports whether rs ends with a place suffix.
func endsInSuffix(rs []rune) bool {
	for _, sf := range suffixes {
		if len(rs) >= len(sf.s) && hasAt(rs, len(rs)-len(sf.s), sf.s) {
			return true
		}
	}
	return false
}

// isSuffix reports whether rs is exactly a place suffix.
func isSuffix(rs []rune) bool {
	for _, sf := range suffixes {
		if len(rs) == len(sf.s) && hasAt(rs, 0, sf.s) {
			return true
		}
	}
	return false
}

func allBoundary(rs []rune) bool {
	for _, r := range rs {
		if !boundary.has(r) {
			return false
		}
	}
	return true
}
