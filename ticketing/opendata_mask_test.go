package ticketing

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cityhotline/hotline"
)

func TestMaskText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Numbers: mobiles in every dress, landlines, 400/800, IDs, cards.
		{"电话13800138000，请回电", "电话[手机号]，请回电"},
		{"手机：+86 138-0013-8000。", "手机：[手机号]。"},
		{"打0086-13912345678或１３９１２３４５６７８", "打[手机号]或[手机号]"},
		{"138 0013 8000", "[手机号]"},
		{"座机(010)6512 3456，010-65123456转8", "座机[电话]，[电话]转8"},
		{"分机 6512-3456", "分机 [电话]"},
		{"客服400-810-8888或800 820 8820", "客服[电话]或[电话]"},
		{"身份证11010519491231002X", "身份证[身份证号]"},
		{"身份证号：110105194912310021", "身份证号：[身份证号]"},
		{"旧证110105491231002", "旧证[身份证号]"},
		{"卡号6222 0202 0000 1234 567，6222020200001234", "卡号[银行卡号]，[银行卡号]"},
		{"幺三八零零幺三八零零零", "[号码]"},
		{"工单20261127000042", "工单[号码]"},
		// Kept: dates, times, amounts, short numbers, the hotline's own number.
		{"2026-11-27 晚上10:30，5000元，120.5平米，12345热线，第3次", "2026-11-27 晚上10:30，5000元，120.5平米，12345热线，第3次"},
		{"11月3号上午，地铁10号线", "11月3号上午，地铁10号线"},
		// E-mail, IM accounts, plates.
		{"邮箱zhang.san@example.com.cn", "邮箱[邮箱]"},
		{"邮箱 wang @ 163 . com", "邮箱 [邮箱]"},
		{"微信号 zs_19880101，QQ：12345678", "微信号[账号]，QQ[账号]"},
		{"车牌京A·12345，京AD12345，沪b 5c678", "车牌[车牌]，[车牌]，[车牌]"},
		// House numbers.
		{"朝阳区建国路88号院3号楼2单元501室漏水", "朝阳区建国路[门牌]漏水"},
		{"5栋1门302和1-2-301", "[门牌]和[门牌]"},
		{"12号院门口", "[门牌]门口"},
		{"3#楼东侧", "[门牌]东侧"},
		{"门牌号：12", "门牌号[门牌]"},
		{"望京西园三区三号楼", "望京西园三区[门牌]"},
		{"住3楼，家住十层，一门心思，三户居民", "住3楼，家住十层，一门心思，三户居民"},
		{"幸福里123弄4号", "幸福里[门牌]"},
		// Names.
		{"我叫张三丰，来电反映", "我叫[姓名]，来电反映"},
		{"姓名：钱七，联系人：赵六", "姓名：[姓名]，联系人：[姓名]"},
		{"联系人电话稍后提供，我叫了物业", "联系人电话稍后提供，我叫了物业"},
		{"我姓王，姓欧阳", "我姓[姓名]，姓[姓名]"},
		{"王先生反映李女士和王阿姨", "[姓名]先生反映[姓名]女士和[姓名]阿姨"},
		{"张伟女士，欧阳先生，刘师傅", "[姓名]女士，[姓名]先生，[姓名]师傅"},
		{"这位先生，老先生，老百姓", "这位先生，老先生，老百姓"},
		{"老王和小李，小区里，小于100元，老胡同", "[姓名]和[姓名]，小区里，小于100元，老胡同"},
		// Third parties by their post: the surname before it, the name after a role.
		{"物业王经理说找李主任，欧阳队长不管", "物业[姓名]经理说找[姓名]主任，[姓名]队长不管"},
		{"物业经理张建国说不归他管，工作人员李某不接电话", "物业经理[姓名]说不归他管，工作人员[姓名]不接电话"},
		{"负责人：赵六称已处理，民警王伟到场", "负责人：[姓名]称已处理，民警[姓名]到场"},
		{"办公室主任，副主任医生，对方经理，项目经理，总经理", "办公室主任，副主任医生，对方经理，项目经理，总经理"},
		{"工作人员态度差，负责人不在，经理说明天来", "工作人员态度差，负责人不在，经理说明天来"},
		{"经理高度重视，管家方便时回电，保安向我道歉", "经理高度重视，管家方便时回电，保安向我道歉"},
		{"司机江某某闯红灯，金老板的店，找到了张医生和刘大夫", "司机[姓名]闯红灯，[姓名]老板的店，找到了[姓名]医生和[姓名]大夫"},
		// Everything at once.
		{"我叫李四，住朝阳区建外街道88号院3号楼2单元501室，电话13800138000，身份证11010519491231002X",
			"我叫[姓名]，住朝阳区建外街道[门牌]，电话[手机号]，身份证[身份证号]"},
		{"", ""},
	} {
		if got := MaskText(tc.in); got != tc.want {
			t.Errorf("MaskText(%q)\n  = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestMaskTextBareNames covers names written with no title or cue of
// their own: found by the word after them (反映, 家, 书记 …) or before
// them (联系, 和, 业主 …), and ordinary words that start with a surname's
// character, which must stay.
func TestMaskTextBareNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// A verb or post after the name.
		{"张建华反映楼道灯坏了", "[姓名]反映楼道灯坏了"},
		{"刘德明家门口的井盖丢了", "[姓名]家门口的井盖丢了"},
		{"王伟等人到场，欧阳倩表示同意", "[姓名]等人到场，[姓名]表示同意"},
		{"尊敬的胡华衡书记：您好", "尊敬的[姓名]书记：您好"},
		{"周明利说不归他管，陈飞云本人不在", "[姓名]说不归他管，[姓名]本人不在"},
		{"胡市长：您好", "[姓名]市长：您好"},
		// A word before the name.
		{"已联系李秀英核实", "已联系[姓名]核实"},
		{"和王小红一起去的", "和[姓名]一起去的"},
		{"业主陈志强说电梯坏了，居民赵敏投诉噪音", "业主[姓名]说电梯坏了，居民[姓名]投诉噪音"},
		{"本人杨俊，身份证丢了", "本人[姓名]，身份证丢了"},
		{"委托彭美莹购买，与周媚当面了解", "委托[姓名]购买，与[姓名]当面了解"},
		{"我们给肖威打电话", "我们给[姓名]打电话"},
		// Words and places that start with a surname's character.
		{"王府井大街说要整修", "王府井大街说要整修"},
		{"黄河路反映的问题", "黄河路反映的问题"},
		{"高速公路表示会改", "高速公路表示会改"},
		{"金融街家家户户", "金融街家家户户"},
		{"和周边环境不符", "和周边环境不符"},
		{"于是他说没办法", "于是他说没办法"},
		{"白天来电，马路说不清，江边家里", "白天来电，马路说不清，江边家里"},
		{"由于天气原因，有关情况反映如下，经常发生", "由于天气原因，有关情况反映如下，经常发生"},
		{"现任法定代表人，向领导反映，向市长反映", "现任法定代表人，向领导反映，向市长反映"},
		{"何坳家小学的老师，云阳中学老师，金福超市长期占道", "何坳家小学的老师，云阳中学老师，金福超市长期占道"},
		{"和黄金路，和金星路，和梅溪湖，给高速", "和黄金路，和金星路，和梅溪湖，给高速"},
		{"国家要求，大家说，商家投诉", "国家要求，大家说，商家投诉"},
		{"第二章质疑提出，施工方代表称", "第二章质疑提出，施工方代表称"},
		{"本人于五月份反映过，我是华润橡树湾业主", "本人于五月份反映过，我是华润橡树湾业主"},
	} {
		if got := MaskText(tc.in); got != tc.want {
			t.Errorf("MaskText(%q)\n  = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskTextKnownNames(t *testing.T) {
	got := MaskText(maskKnown("张伟说张伟的地址是朝阳区建外街道某小区", maskAddress, "朝阳区建外街道某小区"), "张伟", "", "王")
	if want := "[姓名]说[姓名]的地址是[地址]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// longDigits finds what still looks like a number of seven or more digits
// once separators are ignored.
var longDigits = regexp.MustCompile(`[0-9０-９](?:[\s\-－.()（）+]*[0-9０-９]){6,}`)

// TestMaskTextLeavesNoLongNumber masks nasty inputs and checks that no
// long number survives: numbers glued to letters, repeated, at the ends.
func TestMaskTextLeavesNoLongNumber(t *testing.T) {
	for _, in := range []string{
		"13800138000", "a13800138000b", "电话:13800138000/13900139000", "Tel:+8613800138000",
		"ID:11010519491231002x号", "账号6222020200001234567转账", "1 3 8 0 0 1 3 8 0 0 0",
		"（０１０）６５１２３４５６", "13800138000,13900139000,13700137000", "号码是１３８-００１３-８０００吗",
		"卡号：6222-0202-0000-1234-567", "20261127000042和20261127000043",
	} {
		got := MaskText(in)
		if m := longDigits.FindString(strings.ReplaceAll(got, "2026-11-27", "")); m != "" {
			t.Errorf("MaskText(%q) = %q still holds %q", in, got, m)
		}
	}
}

func TestPseudonym(t *testing.T) {
	k1, k2 := []byte("key one"), []byte("key two")
	a := Pseudonym(k1, "20261127000042")
	if len(a) != 16 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("pseudonym %q: want 16 hex digits", a)
	}
	if Pseudonym(k1, "20261127000042") != a {
		t.Error("same key, same id: pseudonyms differ")
	}
	if Pseudonym(k2, "20261127000042") == a {
		t.Error("two keys give the same pseudonym: exports could be joined")
	}
	if Pseudonym(k1, "20261127000043") == a {
		t.Error("two ids give the same pseudonym")
	}
}

func TestAnonymise(t *testing.T) {
	created := time.Date(2026, 11, 27, 1, 47, 12, 0, time.UTC) // 09:47 in Beijing
	tk := &Ticket{
		ID: "20261127000042", Channel: ChannelPhone, CallerNumber: "13800138000", ContactNumber: "13900139000",
		CitizenName: "赵敏", Type: TypeComplaint, Category: "city.streetlight", Title: "赵敏反映路灯不亮",
		Content: "地址朝阳区望京西园三区3号楼，赵女士电话13900139000", Address: "朝阳区望京西园三区3号楼",
		District: "110105", Street: "110105-002", Triage: TriageDispatch, Outcome: OutcomeResolved,
		ReplyContent: "已联系赵女士（13900139000），路灯已修复", Created: created, DispatchedAt: created,
		RepliedAt: created.Add(26*time.Hour + 59*time.Minute),
	}
	answers := []*CallbackRecord{
		{Reached: true, Contacted: AnswerYes, Resolved: AnswerNo, Satisfaction: Dissatisfied},
		{Reached: true, Contacted: AnswerYes, Resolved: AnswerYes, Satisfaction: BasicallySatisfied},
		{Reached: true, Contacted: AnswerYes, Resolved: AnswerUnknown, Satisfaction: Satisfied}, // not valid
	}
	ref := testRef()
	names := openDataNames{units: map[hotline.UnitID]string{}, categories: map[hotline.CategoryID]string{}}
	for id, u := range ref.units {
		names.units[id] = u.Name
	}
	for id, c := range ref.categories {
		names.categories[id] = c.Name
	}
	row := anonymise(tk, answers, names, []byte("k"))
	want := OpenDataRow{
		Pseudonym: Pseudonym([]byte("k"), tk.ID), CreatedHour: "2026-11-27 09:00", Channel: "phone", Type: "complaint",
		Category: "路灯", District: "朝阳区", Street: "望京街道", Title: "[姓名]反映路灯不亮",
		Content: "地址[地址]，[姓名]女士电话[手机号]", Outcome: "resolved", Reply: "已联系[姓名]女士（[手机号]），路灯已修复",
		RepliedInHours: "26", Contacted: "yes", Resolved: "yes", Satisfaction: "basically",
	}
	if row != want {
		t.Errorf("row\n %+v\nwant\n %+v", row, want)
	}
	if got := row.values([]string{"pseudonym", "street", "replied_in_hours"}); len(got) != 3 || got[1] != "望京街道" || got[2] != "26" {
		t.Errorf("values = %q", got)
	}
}

func TestExportable(t *testing.T) {
	for _, tc := range []struct {
		t    Ticket
		want bool
	}{
		{Ticket{Triage: TriageDispatch}, true},
		{Ticket{Triage: TriageAnswered}, true},
		{Ticket{Triage: TriageDispatch, Confidential: true}, false},
		{Ticket{Triage: TriageDispatch, MergedInto: "20261127000001"}, false},
		{Ticket{Triage: TriageNoDispatch, TriageReason: "secret"}, false},
		{Ticket{Triage: TriageNoDispatch, TriageReason: "duplicate"}, true},
	} {
		if got := Exportable(&tc.t); got != tc.want {
			t.Errorf("Exportable(%+v) = %v", tc.t, got)
		}
	}
}

func TestCellSafe(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-x": "'-x", "@a": "'@a", "路灯": "路灯", "": ""} {
		if got := cellSafe(in); got != want {
			t.Errorf("cellSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckOpenDataInput(t *testing.T) {
	r, err := checkOpenDataInput(OpenDataInput{Partner: " 北京大学 ", Purpose: "研究", From: "2026-10-01", To: "2026-10-31",
		Fields: []string{"content", "district"}})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC) // 2026-10-01 00:00 Beijing
	if r.Partner != "北京大学" || !r.From.Equal(from) || !r.To.Equal(from.AddDate(0, 0, 31)) ||
		strings.Join(r.Fields, ",") != "pseudonym,district,content" || r.State != OpenDataPending {
		t.Errorf("request %+v", r)
	}
	if r, _ := checkOpenDataInput(OpenDataInput{Partner: "p", Purpose: "q", From: "2026-10-01", To: "2026-10-01"}); len(r.Fields) != len(OpenDataFields) {
		t.Errorf("no fields chosen: %v, want all", r.Fields)
	}
	_, err = checkOpenDataInput(OpenDataInput{From: "2026-10-31", To: "2026-10-01", Fields: []string{"citizen_name"}})
	e, ok := err.(*hotline.Error)
	if !ok || e.Code != hotline.EINVALID {
		t.Fatalf("err %v", err)
	}
	for _, f := range []string{"partner", "purpose", "to", "fields"} {
		if e.Fields[f] == "" {
			t.Errorf("field %s not named: %v", f, e.Fields)
		}
	}
	_, err = checkOpenDataInput(OpenDataInput{Partner: "p", Purpose: "q", From: "2025-01-01", To: "2026-06-30"})
	if e, ok := err.(*hotline.Error); !ok || e.Fields["to"] == "" {
		t.Errorf("a period over 366 days: %v", err)
	}
	_, err = checkOpenDataInput(OpenDataInput{Partner: "p", Purpose: "q", From: "10/01/2026", To: ""})
	if e, ok := err.(*hotline.Error); !ok || e.Fields["from"] == "" || e.Fields["to"] == "" {
		t.Errorf("bad dates: %v", err)
	}
}

func TestOpenDataStateRoundTrip(t *testing.T) {
	for _, s := range OpenDataStates {
		if got, err := ParseOpenDataState(s.String()); err != nil || got != s {
			t.Errorf("round trip %q: %q %v", s, got, err)
		}
	}
	if _, err := ParseOpenDataState("done"); err == nil {
		t.Error("parsed an unknown state")
	}
}

// FuzzMaskText checks that masking never panics and never leaves seven
// ASCII digits in a row.
func FuzzMaskText(f *testing.F) {
	for _, s := range []string{"电话13800138000", "88号院3号楼2单元501室", "我叫张三", "王先生", "京A12345", "a@b.cn", "(010)6512 3456", "１３８００１３８０００"} {
		f.Add(s)
	}
	seven := regexp.MustCompile(`[0-9]{7,}`)
	f.Fuzz(func(t *testing.T, s string) {
		if got := MaskText(s); seven.MatchString(got) {
			t.Errorf("MaskText(%q) = %q", s, got)
		}
	})
}
