package storetest

import (
	"testing"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/ticketing"
)

func runUnits(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	units := []*ticketing.Unit{
		{ID: "chaoyang", Name: "朝阳区", Tier: ticketing.TierDistrict, Contact: "010-1", Sample: true},
		{ID: "chaoyang-hrss", Name: "朝阳区人力社保局", Tier: ticketing.TierDistrictDept, Parent: "chaoyang", Kind: "hrss"},
		{ID: "jianwai", Name: "建外街道", Tier: ticketing.TierStreet, Parent: "chaoyang", Aliases: []string{"建外", "建国门外"}},
		{ID: "water", Name: "自来水集团", Tier: ticketing.TierEnterprise, Disabled: true},
	}
	for _, u := range units {
		must(t, s.CreateUnit(ctx(t), u), "create unit "+string(u.ID))
	}
	got, err := s.FindUnitByID(ctx(t), "jianwai")
	must(t, err, "find unit")
	same(t, units[2], got, "unit round trip")

	_, err = s.FindUnitByID(ctx(t), "nowhere")
	wantCode(t, err, hotline.ENOTFOUND, "find missing unit")
	err = s.CreateUnit(ctx(t), &ticketing.Unit{ID: "jianwai", Name: "重复", Tier: ticketing.TierStreet})
	wantCode(t, err, hotline.ECONFLICT, "duplicate unit")

	filters := []struct {
		f    ticketing.UnitFilter
		want []*ticketing.Unit
	}{
		{ticketing.UnitFilter{}, units},
		{ticketing.UnitFilter{Tier: ticketing.TierStreet}, units[2:3]},
		{ticketing.UnitFilter{Parent: "chaoyang"}, units[1:3]},
		{ticketing.UnitFilter{Kind: "hrss"}, units[1:2]},
		{ticketing.UnitFilter{Parent: "chaoyang", Tier: ticketing.TierDistrictDept}, units[1:2]},
		{ticketing.UnitFilter{Tier: ticketing.TierCityDept}, nil},
	}
	for _, c := range filters {
		got, err := s.FindUnits(ctx(t), c.f)
		must(t, err, "find units")
		sameList(t, c.want, got, "find units")
	}

	upd := *units[2]
	upd.Name, upd.Aliases, upd.Disabled = "建外街道办事处", []string{"建外SOHO"}, true
	must(t, s.UpdateUnit(ctx(t), &upd), "update unit")
	got, err = s.FindUnitByID(ctx(t), "jianwai")
	must(t, err, "find updated unit")
	same(t, &upd, got, "updated unit")
	err = s.UpdateUnit(ctx(t), &ticketing.Unit{ID: "nowhere", Name: "x", Tier: ticketing.TierStreet})
	wantCode(t, err, hotline.ENOTFOUND, "update missing unit")
}

func runCategories(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	cats := []*ticketing.Category{
		{ID: "road", Name: "道路", Indicator: "安全性", Urgency: ticketing.UrgencyOrdinary},
		{ID: "road.lamp", Name: "路灯", Parent: "road", Indicator: "便利性", Urgency: ticketing.UrgencyUtility,
			AutoDispatch: true, Keywords: []string{"路灯", "照明"}},
		{ID: "water", Name: "供水", Urgency: ticketing.UrgencyUtility, Disabled: true, Keywords: []string{"停水"}},
	}
	for _, c := range []*ticketing.Category{cats[2], cats[0], cats[1]} {
		must(t, s.CreateCategory(ctx(t), c), "create category "+string(c.ID))
	}
	got, err := s.FindCategories(ctx(t))
	must(t, err, "find categories")
	sameList(t, cats, got, "categories by id")

	err = s.CreateCategory(ctx(t), &ticketing.Category{ID: "road", Name: "重复"})
	wantCode(t, err, hotline.ECONFLICT, "duplicate category")

	upd := *cats[1]
	upd.Name, upd.Keywords, upd.AutoDispatch = "路灯照明", []string{"灯"}, false
	must(t, s.UpdateCategory(ctx(t), &upd), "update category")
	got, err = s.FindCategories(ctx(t))
	must(t, err, "find categories")
	sameList(t, []*ticketing.Category{cats[0], &upd, cats[2]}, got, "after update")
	err = s.UpdateCategory(ctx(t), &ticketing.Category{ID: "nothing", Name: "x"})
	wantCode(t, err, hotline.ENOTFOUND, "update missing category")
}

func runRules(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	rules := []*ticketing.Rule{
		{Category: "road.lamp", Area: "chaoyang", Target: ticketing.TargetStreet, Priority: 20, Note: "街道管路灯"},
		{Category: "water", Target: ticketing.TargetUnit, Unit: "water", Priority: 10},
		{Category: "hrss", Area: "chaoyang", Target: ticketing.TargetDistrictDept, Kind: "hrss", Priority: 20},
	}
	for _, r := range rules {
		must(t, s.CreateRule(ctx(t), r), "create rule")
		if r.ID == 0 {
			t.Fatal("CreateRule did not assign an id")
		}
	}
	if rules[0].ID == rules[1].ID || rules[1].ID == rules[2].ID || rules[0].ID == rules[2].ID {
		t.Fatalf("rule ids not distinct: %d %d %d", rules[0].ID, rules[1].ID, rules[2].ID)
	}
	got, err := s.FindRules(ctx(t))
	must(t, err, "find rules")
	// By priority, then id: rules[0] was created before rules[2].
	sameList(t, []*ticketing.Rule{rules[1], rules[0], rules[2]}, got, "rules")

	upd := *rules[1]
	upd.Priority, upd.Target, upd.Unit, upd.Kind = 30, ticketing.TargetDistrictDept, "", "water"
	must(t, s.UpdateRule(ctx(t), &upd), "update rule")
	must(t, s.DeleteRule(ctx(t), rules[0].ID), "delete rule")
	got, err = s.FindRules(ctx(t))
	must(t, err, "find rules")
	sameList(t, []*ticketing.Rule{rules[2], &upd}, got, "after update and delete")

	missing := *rules[0]
	wantCode(t, s.UpdateRule(ctx(t), &missing), hotline.ENOTFOUND, "update deleted rule")
	wantCode(t, s.DeleteRule(ctx(t), rules[0].ID), hotline.ENOTFOUND, "delete deleted rule")
}
