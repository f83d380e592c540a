package seedgen

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cityhotline/hotline/ticketing"
)

var (
	nameHeads  = []string{"安", "宝", "北", "长", "翠", "大", "东", "丰", "福", "广", "和", "华", "嘉", "金", "锦", "康", "乐", "丽", "龙", "明", "南", "平", "青", "瑞", "盛", "泰", "天", "万", "祥", "新", "兴", "阳", "怡", "永", "裕", "悦", "枣", "紫"}
	nameTails  = []string{"安", "泉", "园", "林", "华", "馨", "景", "春", "苑", "阳", "河", "桥", "台", "湖", "庭", "峰", "源", "秀", "和", "宁"}
	compoundSf = []string{"小区", "家园", "里", "苑", "花园", "社区", "新村", "公寓", "嘉园", "南里", "北里", "西区"}
	roadSf     = []string{"路", "大街", "街", "胡同", "西路", "东路", "南路", "北路"}
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "郑"}
	phoneHeads = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "199"}
)

func oneOf(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

func compoundName(rng *rand.Rand) string {
	return oneOf(rng, nameHeads) + oneOf(rng, nameTails) + oneOf(rng, compoundSf)
}

func roadName(rng *rand.Rand) string {
	return oneOf(rng, nameHeads) + oneOf(rng, nameTails) + oneOf(rng, roadSf)
}

// phoneNumber is a fake 11-digit mobile number (1xx-xxxx-xxxx).
func phoneNumber(rng *rand.Rand) string {
	return fmt.Sprintf("%s%08d", oneOf(rng, phoneHeads), rng.IntN(100000000))
}

// citizenName is a surname and a courtesy title, as agents record it.
func citizenName(rng *rand.Rand) string {
	if rng.IntN(10) < 4 {
		return ""
	}
	return oneOf(rng, surnames) + oneOf(rng, []string{"先生", "女士"})
}

// address is a Beijing address inside p: compound, building, unit, room.
func address(rng *rand.Rand, p *place, compound string) string {
	road := oneOf(rng, p.roads)
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf("北京市%s%s%s%d号", p.district.Name, p.street.Name, road, 1+rng.IntN(200))
	case 1:
		return fmt.Sprintf("%s%s%s%d号楼", p.district.Name, p.street.Name, compound, 1+rng.IntN(30))
	}
	return fmt.Sprintf("北京市%s%s%s%d号%s%d号楼%d单元%d", p.district.Name, p.street.Name, road, 1+rng.IntN(200),
		compound, 1+rng.IntN(30), 1+rng.IntN(6), 100*(1+rng.IntN(20))+1+rng.IntN(4))
}

// topic is what a request in a category group says: the problems, how long,
// what it does to the caller, what they ask for.
type topic struct {
	problems []string
	impacts  []string
	asks     []string
}

var topics = map[string]topic{
	"heating": {[]string{"家中暖气不热，室温只有%d度", "暖气片冰凉，室温低于%d度", "供暖不热，温度不达标，屋里才%d度"},
		[]string{"老人孩子受不了", "家里有病人，晚上冻得睡不着", "已经感冒了好几个人"}, []string{"要求热力公司尽快上门检修", "希望尽快解决供暖问题", "要求落实供暖温度"}},
	"water": {[]string{"小区停水", "自来水发黄有异味", "水压低，楼上水流很小", "路边自来水管漏水"},
		[]string{"做饭洗漱都成问题", "已经影响正常生活", "物业说不清原因"}, []string{"要求尽快恢复供水", "希望自来水公司查明原因", "要求尽快抢修"}},
	"gas": {[]string{"家里打不着火，燃气停供", "楼道里有燃气味", "燃气表充值后不走字"},
		[]string{"无法做饭", "担心有安全隐患", "联系燃气公司没人处理"}, []string{"要求燃气公司尽快处理", "希望上门检查", "要求查明原因"}},
	"power": {[]string{"家里突然停电", "电压不稳，灯忽明忽暗", "整栋楼断电"},
		[]string{"冰箱里的东西都坏了", "家用电器担心被烧坏", "老人用不了电梯"}, []string{"要求供电公司尽快抢修", "希望尽快恢复供电", "要求说明停电原因"}},
	"property": {[]string{"物业不作为，楼道堆物无人清理", "电梯经常故障停运", "物业乱收停车费", "小区门禁坏了很久没人修"},
		[]string{"存在消防隐患", "老人上下楼困难", "业主意见很大"}, []string{"要求物业尽快整改", "希望相关部门督促物业", "要求给个说法"}},
	"noise": {[]string{"附近工地夜间施工噪音扰民", "楼下商铺音响声音太大", "邻居装修噪音一直不停", "广场舞音响声音太大"},
		[]string{"晚上无法休息", "孩子没法学习", "已经持续好几天"}, []string{"要求相关部门查处", "希望尽快制止", "要求规定施工时间"}},
	"road": {[]string{"路面塌陷有大坑", "路口红绿灯坏了", "小区门口乱停车堵路", "人行道被车辆占用"},
		[]string{"出行很不安全", "早晚高峰拥堵严重", "已经发生过剐蹭"}, []string{"要求尽快修复", "希望加强管理", "要求交警来处理"}},
	"transit": {[]string{"公交车长时间不来", "地铁站出入口关闭", "公交司机态度恶劣", "公交线路调整后出行不便"},
		[]string{"上班经常迟到", "老人出行不便", "等车时间太长"}, []string{"希望增加班次", "要求恢复原线路", "要求公交公司处理"}},
	"sanitation": {[]string{"垃圾堆放好几天没人清运", "路灯不亮", "井盖缺失", "树木枝杈挡住窗户", "路边占道经营"},
		[]string{"气味难闻", "晚上出行不安全", "影响环境卫生"}, []string{"要求尽快处理", "希望环卫部门清理", "要求城管执法"}},
	"labour": {[]string{"公司拖欠工资%d个月", "单位不给缴纳社保", "被公司无故辞退"},
		[]string{"生活没有着落", "多次讨要无果", "家里还有老人要养"}, []string{"要求劳动监察部门介入", "希望帮助追讨工资", "咨询如何维权"}},
	"health": {[]string{"医院挂号难", "医保报销比例有疑问", "诊所卫生条件差"},
		[]string{"看病很不方便", "花了很多冤枉钱", "担心交叉感染"}, []string{"要求卫健部门核实", "希望给予解释", "要求规范管理"}},
	"education": {[]string{"孩子入学遇到问题", "幼儿园乱收费", "校外培训机构退费难"},
		[]string{"开学在即很着急", "家长意见很大", "多次沟通无果"}, []string{"要求教委协调", "希望尽快答复", "要求退还费用"}},
	"market": {[]string{"网购商品质量有问题商家拒绝退货", "超市销售过期食品", "商家价格欺诈"},
		[]string{"损失%d元", "担心食品安全", "商家态度恶劣"}, []string{"要求市场监管部门查处", "希望帮助维权", "要求商家退款"}},
	"housing": {[]string{"新房漏水开发商不管", "房东不退押金", "保障房申请进度查询"},
		[]string{"无法正常居住", "多次协商无果", "等了很久没有消息"}, []string{"要求住建部门协调", "希望尽快答复", "要求维修"}},
	"ecology": {[]string{"附近工厂排放异味", "河道有污水排放"},
		[]string{"晚上不敢开窗", "气味刺鼻"}, []string{"要求环保部门查处", "希望尽快治理"}},
	"elderly": {[]string{"养老驿站服务质量差", "老年人津贴没有按时发放"},
		[]string{"老人生活不便", "多次询问无果"}, []string{"希望民政部门核实", "要求尽快发放"}},
	"police": {[]string{"办理居住证遇到问题", "小区有人遛狗不拴绳"},
		[]string{"耽误了孩子上学", "孩子被吓到"}, []string{"希望派出所协助", "要求加强管理"}},
	"other": {[]string{"反映相关问题", "有问题需要咨询"}, []string{"比较着急"}, []string{"希望尽快答复", "请相关部门处理"}},
}

// text writes the title and content of a request about c at compound.
func text(rng *rand.Rand, c *ticketing.Category, compound string) (title, content string) {
	group := string(c.ID)
	if i := strings.IndexByte(group, '.'); i > 0 {
		group = group[:i]
	}
	tp, ok := topics[group]
	if !ok {
		tp = topics["other"]
	}
	problem := oneOf(rng, tp.problems)
	if strings.Contains(problem, "%d") {
		problem = fmt.Sprintf(problem, 10+rng.IntN(8))
	}
	kw := c.Name
	if len(c.Keywords) > 0 {
		kw = oneOf(rng, c.Keywords)
	}
	impact := oneOf(rng, tp.impacts)
	if strings.Contains(impact, "%d") {
		impact = fmt.Sprintf(impact, 100*(1+rng.IntN(50)))
	}
	since := oneOf(rng, []string{"今天", "昨天开始", "已经三天了", "一周以来", "这个月"})
	content = fmt.Sprintf("市民来电反映：%s%s，%s，%s。%s。", compound, since, problem, impact, oneOf(rng, tp.asks))
	if rng.IntN(2) == 0 {
		content += "（" + kw + "）"
	}
	return compound + kw, content
}

var replies = map[ticketing.Outcome][]string{
	ticketing.OutcomeResolved:   {"经核实，已安排工作人员上门处理，问题已解决，市民表示认可。", "已联系相关责任方整改完毕，现场复查合格。", "已维修完成，并告知市民。"},
	ticketing.OutcomeExplained:  {"经核实，该问题属于政策规定范围，已向市民做好解释说明。", "已联系市民说明情况，后续将持续关注。"},
	ticketing.OutcomeUnresolved: {"因涉及多方产权，暂无法解决，已向市民说明并纳入后续计划。", "经协调暂未达成一致，将继续跟进。"},
}
