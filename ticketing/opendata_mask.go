package ticketing

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Masking of personal data inside free texts (title, content, reply) for
// the open-data export. Each rule replaces what it recognises with a label
// in square brackets; labels hold no digits, so a masked text never looks
// like a number again. The rules err on the side of masking: a date or an
// amount is kept, any other run of seven or more digits goes.

// Mask labels.
const (
	maskMobile   = "[手机号]"
	maskPhone    = "[电话]"
	maskIDCard   = "[身份证号]"
	maskBankCard = "[银行卡号]"
	maskNumber   = "[号码]"
	maskEmail    = "[邮箱]"
	maskPlate    = "[车牌]"
	maskHouse    = "[门牌]"
	maskPerson   = "[姓名]"
	maskAccount  = "[账号]"
	maskAddress  = "[地址]"
)

// latinLetters are the letters a plate needs after its province.
const latinLetters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjklmnpqrstuvwxyz"

// digit is an ASCII or full-width digit.
const digit = `[0-9０-９]`

var (
	reEmail = regexp.MustCompile(`[A-Za-z0-9._%+\-]+\s*(?:@|＠)\s*[A-Za-z0-9\-]+(?:\s*[.．]\s*[A-Za-z0-9\-]+)+`)
	// reAccount: an instant-messaging account after its label.
	reAccount = regexp.MustCompile(`(?i)(微信号?|vx|wx|qq号?|微博)\s*[:：是为]?\s*[A-Za-z0-9_\-]{5,30}`)
	// rePlate: a Chinese licence plate, ordinary or new-energy, with an
	// optional dot or space after the letter.
	rePlate = regexp.MustCompile(`(?i)[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]\s*[·•.\-]?\s*[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]`)
	// reDigits: a run of digits, with up to two separators between any two
	// (spaces, dashes, dots, brackets), an optional leading + and a
	// trailing X for ID cards.
	reDigits = regexp.MustCompile(`[+＋(（]?` + digit + `(?:[\s\-－–—.．()（）]{0,2}` + digit + `)*[Xx]?`)
	// reHanDigits: telephone numbers read out in Chinese numerals.
	reHanDigits = regexp.MustCompile(`[零〇一二三四五六七八九幺两洞]{7,}`)
	// reDate: dates and times that are kept.
	reDate = regexp.MustCompile(`^(?:19|20)\d\d[\-./](?:0?[1-9]|1[0-2])[\-./](?:0?[1-9]|[12]\d|3[01])(?:\s+(?:[01]?\d|2[0-3]))?$`)
	// reHouse: a chain of house-number parts: 88号院3号楼2单元501室,
	// 5栋1门302, 3#楼, 1-2-301, 123弄4号.
	reHouse = regexp.MustCompile(`(?:` + houseNum + `\s*(?:号楼|号院|号门|号|栋|幢|座|单元|门|层|楼|室|户|弄)\s*)+(?:` + houseNum + `)?` +
		`|` + digit + `{1,4}[\-－—]` + digit + `{1,4}[\-－—]` + digit + `{1,5}`)
	// reDoorplate: 门牌 numbers given without a unit word.
	reDoorplate = regexp.MustCompile(`(门牌号?码?|房号|房间号|楼号)\s*[:：是为]?\s*[0-9０-９A-Za-z\-－#]+`)
	// reIntroduce: 我叫X, 我的名字是X, 姓名：X, 联系人X.
	reIntroduce = regexp.MustCompile(`(我叫|名叫|叫做|我的名字是|我的名字叫|姓名|联系人)\s*[:：]?\s*(\p{Han}{1,3})`)
	// reSurname: 姓X (我姓王), not 百姓.
	reSurname = regexp.MustCompile(`姓\s*(` + strings.Join(compoundSurnames, "|") + `|[` + surnames + `])`)
	// reHonorific: X先生, X女士, X阿姨 … (the name is found before it).
	reHonorific = regexp.MustCompile(`先生|女士|小姐|阿姨|大爷|大妈|大姐|大哥|师傅|老师|同志|奶奶|爷爷|老人家`)
	// reFamiliar: 老王, 小李.
	reFamiliar = regexp.MustCompile(`[老小](\p{Han})`)
	// reTitleAfter: a surname and a post (王经理, 李主任, 欧阳队长): the
	// name is the surname just before the post.
	reTitleAfter = regexp.MustCompile(`(` + strings.Join(compoundSurnames, "|") + `|[` + surnames + `])(` + posts + `)`)
	// reTitleBefore: a post or role and then a name (经理张建国, 工作人员李某,
	// 民警王伟): the surname and up to two more characters.
	reTitleBefore = regexp.MustCompile(`(` + posts + `|工作人员|负责人|承办人|经办人|办理人|民警|网格员|管家|保安|司机|社工)\s*[:：]?\s*(` +
		strings.Join(compoundSurnames, "|") + `|[` + surnames + `])(\p{Han}{0,2})`)
)

// posts are the job titles that follow a surname (王经理) or precede a
// full name (经理王建国) in complaints about a third party.
const posts = `经理|主任|书记|队长|科长|局长|处长|所长|站长|校长|院长|园长|老板|医生|大夫|护士|警官|律师|会计|组长|班长|村长|社长|厂长|部长|主管|楼长|市长|区长|县长|镇长|乡长|省长|法官`

// houseNum is the number of one house-number part: 3, 12, A, 甲, 三, 3#, 2-1.
const houseNum = `(?:[0-9０-９]{1,5}[A-Za-z]?|[A-Za-z][0-9０-９]{0,4}|[一二三四五六七八九十百零〇甲乙丙丁]{1,4})(?:[\-－—#＃][0-9０-９A-Za-z]{1,4})?#?`

// surnames are common Chinese family names; names are recognised only
// after one of them, which keeps 这位先生 and 老先生 readable.
const surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐韩冯邓曹彭曾萧肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文高郑施洪庞樊殷葛齐牛岳"

// compoundSurnames are two-character family names.
var compoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "夏侯", "长孙", "宇文", "司徒", "端木", "西门", "南宫"}

// familiarExclude are characters after 老/小 that make ordinary words
// (小于, 小康, 老常态, 小方向, 小龙虾, 老毛病, 小白菜, 小高层, 小金库 …).
const familiarExclude = "于康常方龙毛白高金文石马万向易齐江孙胡黄汤程苏孔钱牛"

// notName are characters that do not start a name after 我叫 or 联系人
// (联系人电话, 我叫了物业).
const notName = "电手方的是说在不没要想了他她它们这那来去到和也都就还"

// MaskText removes the personal data the rules recognise from s. names
// are people's names to mask wherever they occur (the citizen's own).
func MaskText(s string, names ...string) string {
	if s == "" {
		return s
	}
	s = maskKnown(s, maskPerson, names...)
	// Each rule runs only when the text holds a character it needs: most
	// texts skip most rules.
	if strings.ContainsAny(s, "@＠") {
		s = reEmail.ReplaceAllString(s, maskEmail)
	}
	if strings.ContainsAny(s, "微vVwWqQ") {
		s = reAccount.ReplaceAllStringFunc(s, func(m string) string { return labelOf(reAccount, m) + maskAccount })
	}
	if strings.ContainsAny(s, latinLetters) {
		s = rePlate.ReplaceAllString(s, maskPlate)
	}
	if strings.ContainsAny(s, "0123456789０１２３４５６７８９") {
		s = reDigits.ReplaceAllStringFunc(s, maskDigits)
	}
	if strings.ContainsAny(s, "零〇一二三四五六七八九幺两洞") {
		s = reHanDigits.ReplaceAllString(s, maskNumber)
	}
	if strings.ContainsAny(s, "门房楼") {
		s = reDoorplate.ReplaceAllStringFunc(s, func(m string) string { return labelOf(reDoorplate, m) + maskHouse })
	}
	if strings.ContainsAny(s, "号栋幢座单元门层楼室户弄-－—") {
		s = replaceWithContext(s, reHouse, maskHouseNumber)
	}
	return maskBareNames(maskNames(s))
}

// maskKnown replaces each of values (at least two characters) with label
// wherever it occurs.
func maskKnown(s, label string, values ...string) string {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if utf8.RuneCountInString(v) >= 2 {
			s = strings.ReplaceAll(s, v, label)
		}
	}
	return s
}

// labelOf returns the label part (first group) of a labelled match.
func labelOf(re *regexp.Regexp, m string) string {
	if g := re.FindStringSubmatch(m); len(g) > 1 {
		return g[1]
	}
	return ""
}

// maskDigits masks a digit run of seven or more digits unless it is a date,
// naming what it looks like.
func maskDigits(run string) string {
	var ds strings.Builder
	for _, r := range run {
		switch {
		case r >= '0' && r <= '9':
			ds.WriteRune(r)
		case r >= '０' && r <= '９':
			ds.WriteRune('0' + r - '０')
		case r == 'X' || r == 'x':
			ds.WriteRune('X')
		}
	}
	d := ds.String()
	if len(strings.TrimSuffix(d, "X")) < 7 || reDate.MatchString(strings.TrimSpace(run)) {
		return run
	}
	label := digitLabel(strings.TrimPrefix(strings.TrimPrefix(d, "0086"), "86"), d)
	if open, size := utf8.DecodeRuneInString(run); (open == '(' || open == '（') && !strings.ContainsAny(run, ")）") {
		return run[:size] + label // （13900139000）: the bracket belongs to the text
	}
	return label
}

// digitLabel classifies a masked number by its digits d (country code
// cut; full keeps it, and the X of an ID card).
func digitLabel(d, full string) string {
	n := len(d)
	switch {
	case (n == 18 || n == 15) && strings.HasSuffix(full, "X"), n == 18 && idShaped(d), n == 15 && d[0] != '0':
		return maskIDCard
	case n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9':
		return maskMobile
	case n == 10 && (strings.HasPrefix(d, "400") || strings.HasPrefix(d, "800")),
		d[0] == '0' && n >= 10 && n <= 12, n == 7 || n == 8:
		return maskPhone
	case n >= 16 && n <= 19:
		return maskBankCard
	}
	return maskNumber
}

// idShaped reports whether 18 digits carry an ID card's birth date.
func idShaped(d string) bool {
	century, month := d[6:8], d[10:12]
	return d[0] != '0' && (century == "19" || century == "20") && month >= "01" && month <= "12"
}

// replaceWithContext replaces each match of re by f(s, start, end), which
// may look at the text around the match.
func replaceWithContext(s string, re *regexp.Regexp, f func(s string, start, end int) string) string {
	locs := re.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		b.WriteString(s[last:l[0]])
		b.WriteString(f(s, l[0], l[1]))
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskHouseNumber masks a house-number chain, except a lone N号 that is a
// day of the month (11月3号), a line (10号线) or a number of something else
// (3号窗口 is kept only when followed by a Han character other than the
// address words, which the chain would have taken).
func maskHouseNumber(s string, start, end int) string {
	m := s[start:end]
	trimmed := strings.TrimRight(m, " \t")
	if reDate.MatchString(trimmed) || hanNumberWord(trimmed) {
		return m
	}
	before, _ := utf8.DecodeLastRuneInString(s[:start])
	after, _ := utf8.DecodeRuneInString(s[end:])
	if strings.HasSuffix(trimmed, "号") && strings.Count(trimmed, "号") == 1 && !strings.ContainsAny(trimmed, "栋幢座单元门层楼室户弄院") {
		switch {
		case before == '月' || before == '日', after == '线' || after == '窗' || after == '床' || after == '文' || after == '令' || after == '台':
			return m
		}
	}
	if strings.HasSuffix(trimmed, "层") || strings.HasSuffix(trimmed, "楼") {
		if !strings.ContainsAny(strings.TrimRight(trimmed, "层楼"), "号栋幢座单元门室户弄院#＃-－—") {
			return m // 3楼, 十层: a floor alone says nothing about who lives there
		}
	}
	return maskHouse + m[len(trimmed):]
}

// hanNumberWord reports a single part in Chinese numerals that is not
// an address word (一门心思, 三户居民, 一座桥): only 号楼, 号院, 单元 and
// 室 make Chinese numerals an address.
func hanNumberWord(m string) bool {
	if strings.ContainsAny(m, "0123456789０１２３４５６７８９ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#＃") {
		return false
	}
	for _, w := range []string{"号楼", "号院", "单元", "室"} {
		if strings.Contains(m, w) {
			return false
		}
	}
	return true
}

// maskNames masks names found by the introduction, surname, honorific and
// familiar-address patterns.
func maskNames(s string) string {
	if !strings.ContainsAny(s, "叫名联姓先女小姐阿大师老同奶爷"+postChars) {
		return s // no introduction, 姓, honorific, post or 老/小: no name to find
	}
	s = reIntroduce.ReplaceAllStringFunc(s, func(m string) string {
		g := reIntroduce.FindStringSubmatch(m)
		if first, _ := utf8.DecodeRuneInString(g[2]); strings.ContainsRune(notName, first) {
			return m
		}
		return strings.TrimSuffix(m, g[2]) + maskPerson
	})
	s = replaceWithContext(s, reSurname, maskAfterSurnameWord)
	s = maskBeforeHonorifics(s)
	s = maskPosts(s)
	return replaceWithContext(s, reFamiliar, func(s string, start, end int) string {
		name, _ := utf8.DecodeLastRuneInString(s[start:end])
		if !strings.ContainsRune(surnames, name) || strings.ContainsRune(familiarExclude, name) {
			return s[start:end]
		}
		return maskPerson
	})
}

// postChars are the characters that every post and role of maskPosts
// holds one of: a text without any has no post.
const postChars = "经主书队科局处所站校院园板医夫护官律会组班村社厂部管楼人警员机长"

// maskPosts masks the name next to a post or role: 王经理 → [姓名]经理,
// 物业经理张建国说 → 物业经理[姓名]说. A name before a post is its surname
// alone (a full name before a post is rare in these texts), and a name
// after a role ends at the first character that does not start or
// continue a name (说, 不, 的 …). 办公室主任, 副主任医生 stay: the
// character before the post is not a surname, or ends a word.
func maskPosts(s string) string {
	if !strings.ContainsAny(s, postChars) {
		return s
	}
	s = reTitleBefore.ReplaceAllStringFunc(s, func(m string) string {
		g := reTitleBefore.FindStringSubmatch(m)
		for _, w := range strings.Fields(surnameStarts) {
			if strings.HasPrefix(g[2]+g[3], w) {
				return m // 经理高度重视, 管家方便时: a word, no name
			}
		}
		name := g[3]
		for i, r := range name {
			if strings.ContainsRune(notName, r) || strings.ContainsRune(nameStop, r) {
				name = name[:i]
				break
			}
		}
		prefix := strings.TrimSuffix(m, g[2]+g[3])
		return prefix + maskPerson + strings.TrimPrefix(g[3], name)
	})
	return replaceWithContext(s, reTitleAfter, func(s string, start, end int) string {
		g := reTitleAfter.FindStringSubmatchIndex(s[start:end])
		surname := s[start+g[2] : start+g[3]]
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		if utf8.RuneCountInString(surname) == 1 && strings.Contains(surnameWords, string(before)+surname) {
			return s[start:end] // 副主任医生: 任 ends 主任, it is no 任医生
		}
		if surname == "向" && strings.HasSuffix(s[start:end], "长") {
			return s[start:end] // 向市长反映: 向 is "to" before an official far more often than a name
		}
		return maskPerson + s[start+g[4]:end]
	})
}

// nameStop are characters that end a name found after a role: verbs and
// particles that follow a name in a complaint.
const nameStop = "称表讲答回告让把被给对向跟与同等已未还再又也都仍却就并及或但而"

// surnameStarts are words that begin with a surname's character and
// follow a post or role in ordinary sentences (经理马上来, 保安向我道歉).
const surnameStarts = "高度 高兴 方便 方面 方案 方式 方法 马上 周末 周边 周围 常常 向我 向你 向您 向他 向她 向市民 向居民 向业主 于是 任何 文件 何时 齐全 程序 白天 金额 余额 毛病 康复 万一 严重 严格 江边 田间 林间 石头 叶子 贺电 乔迁"

// surnameWords are words whose second character is a surname, seen just
// before a post: 主任医生, 对方经理, 正常…, which name nobody.
const surnameWords = "主任 责任 信任 担任 时任 现任 前任 感谢 对于 对方 双方 地方 官方 警方 院方 校方 厂方 甲方 乙方 多方 各方 资金 押金 租金 经常 正常 日常 异常 健康 交易 容易 提高 最高 明白"

// maskAfterSurnameWord masks the name in 姓X (s[start:end]): 我姓王 →
// 我姓[姓名], 姓欧阳 → 姓[姓名]; 百姓 stays.
func maskAfterSurnameWord(s string, start, end int) string {
	if before, _ := utf8.DecodeLastRuneInString(s[:start]); before == '百' {
		return s[start:end]
	}
	g := reSurname.FindStringSubmatchIndex(s[start:end])
	return s[start:start+g[2]] + maskPerson
}

// hasCompound reports whether s starts with a compound surname.
func hasCompound(s string) bool {
	for _, c := range compoundSurnames {
		if strings.HasPrefix(s, c) {
			return true
		}
	}
	return false
}

// maskBeforeHonorifics masks the name before each honorific: a compound
// surname, or a surname one or two characters back (王先生, 张伟女士).
func maskBeforeHonorifics(s string) string {
	locs := reHonorific.FindAllStringIndex(s, -1)
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if l[0] < last {
			continue
		}
		start := nameStart(s[last:l[0]])
		b.WriteString(s[last : last+start])
		if start < l[0]-last {
			b.WriteString(maskPerson)
		}
		b.WriteString(s[l[0]:l[1]])
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// nameStart returns where a name ends text (which precedes an honorific)
// starts, or len(text) when there is none.
func nameStart(text string) int {
	runes := []rune(text)
	n := len(runes)
	for back := 3; back >= 1; back-- {
		if n < back {
			continue
		}
		tail := string(runes[n-back:])
		if !allHan(tail) || tail == maskPerson {
			continue
		}
		first := runes[n-back]
		if (back >= 2 && hasCompound(tail)) || (back <= 2 && strings.ContainsRune(surnames, first)) {
			return len(string(runes[:n-back]))
		}
	}
	return len(text)
}

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}
