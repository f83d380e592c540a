package ticketing

import (
	"strings"
	"unicode"
)

// Bare personal names in free text: 张建华反映…, 已联系李秀英核实, 刘德明家门口.
// A name here has no title, honorific or introduction, so the recogniser
// looks for a common surname followed by one or two given-name characters,
// and masks it only in a context where a person stands: before a verb of
// speech or action (反映, 说, 投诉, 家 …) or after a word that introduces a
// person (联系, 和, 业主 …). Ordinary words that start with a surname's
// character (高速, 王府井, 黄河, 周边, 于是 …) are listed and never masked:
// for research partners a leaked name is a breach, but a text whose place
// words are masked is useless, and both were measured on real messages
// (docs/api.md).

// bareSurnames are about three hundred common single-character surnames.
// Characters that are far more often function words or place words than
// surnames (和, 时, 来, 都, 但, 由, 向, 应, 区, 门, 公, 国, 平, 修, 路, 苑, 房, 宣, 车 …) are left out:
// each would fire on ordinary text in every context.
const bareSurnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲滕屈饶解牟艾尤阳穆农司卓古吉缪简项连芦麦褚娄窦戚岑景宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻迟邝官封谈匡鞠惠荆冀郁胥班储栗燕鄢谌奚皮粟冼蔺闻厉伊仝郜阚屠朴盖廉禹祖漆巴丰卿狄晋容敬扈晁芮阙浦戈鹿邸雍辜裘亓邰赫杭况逯隆茹诸慕亢嵇湛戎勾茅尉冶檀昝尧"

// bareCompoundSurnames are the common two-character surnames.
var bareCompoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "夏侯", "长孙", "宇文", "司徒", "端木", "南宫", "闻人", "呼延", "澹台", "公冶", "濮阳", "轩辕", "钟离", "万俟", "申屠", "独孤", "东郭", "完颜"}

// nameAfterCues follow a person: verbs of speech and action, and the
// post of an official named in full (胡华衡书记). They are strong enough
// to mask any given name before them.
var nameAfterCues = []string{
	"反映", "反应", "说", "称", "讲", "表示", "投诉", "举报", "来电", "致电", "打电话", "打来", "告诉", "要求",
	"同志", "本人", "等人", "认为", "提出", "答复", "回复", "介绍", "询问", "承认", "证实", "留言", "来信",
	"签字", "签名", "报称", "报案", "报警", "书记", "主席",
}

// weakAfterCues follow a person too, but also ordinary words and places
// (何坳家小学, 国家): the given name must be made of givenNameChars.
var weakAfterCues = []string{
	"家", "的电话", "的手机", "的儿子", "的女儿", "的妻子", "的丈夫", "的母亲", "的父亲", "的老伴",
	"一家", "夫妇", "夫妻", "老人", "之子", "之女", "私自", "擅自", "多次", "一直", "委员", "咨询",
	"教练", "老师", "律师", "警官", "医生",
}

// weakAfterCueList are weakAfterCues and the posts after a full name
// (罗金华教练, 张建国经理).
var weakAfterCueList = append(append([]string{}, weakAfterCues...), strings.Split(posts, "|")...)

// homeWords end in 家 without a person before it: 国家, 大家, 商家.
const homeWords = "国大专商农老全回人厂店东管作画行买卖玩住公自本亲婆娘酒皇儒道名万千百一两几各多独船庄富民私军"

// notAfterCues start with a cue but make a word: 金色家园, 家具, 家电.
var notAfterCues = []string{"家长", "家园", "家族", "家小学", "家小区", "家公司", "家组", "家村", "家湾", "家坡", "家冲", "家岭", "家塘", "家山", "家桥", "家镇", "家巷", "家庄", "家屋", "家院", "咨询有限", "咨询服务", "咨询公司", "家具", "家居", "家电", "家政", "家乐", "家属", "家私", "家纺", "家装", "说明", "称号", "讲座", "讲话", "代表团", "一家人"}

// nameBeforeCues introduce a person: 联系, 找, 和, 业主 ….
var nameBeforeCues = []string{
	"联系", "找", "告诉", "通知", "给", "和", "与", "同", "跟", "让", "由", "经", "委托", "请", "问", "叫", "及", "向", "被", "帮",
	"业主", "租户", "住户", "居民", "村民", "市民", "网友", "邻居", "房东", "老板", "儿子", "女儿", "妻子", "丈夫", "老公", "老婆",
	"母亲", "父亲", "我是", "本人", "名字是", "签名", "署名",
}

// strongBeforeCues are the cues of nameBeforeCues of two or more
// characters, which rarely end another word.
var strongBeforeCues = func() []string {
	var strong []string
	for _, c := range nameBeforeCues {
		if len([]rune(c)) >= 2 {
			strong = append(strong, c)
		}
	}
	return strong
}()

// nameEndsAt reports whether a name may end at runes[end]: the text ends,
// a punctuation mark or particle follows, or a word that follows a person
// (一起, 等, 夫妇).
func nameEndsAt(runes []rune, end int) bool {
	if end == len(runes) {
		return true
	}
	next := runes[end]
	return !unicode.Is(unicode.Han, next) || strings.ContainsRune("的了是在也就还和与及把被给对向从到已再又等说讲问去来一两二夫当", next)
}

// givenNameChars are the characters most often seen in given names. A
// name found only by a word before it (和王小红) must be made of them:
// 和, 与 and 给 precede ordinary words (和周边, 与相关, 给高速) far more
// often than names.
const givenNameChars = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华红建国志文云飞林峰春梅海鹏宇浩凯晨斌波辉鑫婷慧琳雪颖倩玲萍燕琴莉晶欣彬俊帆帅宁亮成瑞博佳嘉东玉兵龙凤光荣新利德福生祥才发武清永金山小丹青松柏坤忠宏亚蓉美凡旭阳晓翠莲菊香琼珍珠贵喜庆安家立中正义仁信礼智勤洁雯婉怡悦蕾薇菲璐瑶佩芬芸秋冬晴霖露月星辰宸子涵轩睿泽翔航奕诚铭毅锋钢坚伦良元昌盛兴旺达富财宝振豪鸿腾彪虎鹤鹰尊勃颢俭介衡熊某琦琪瑜璇珊蓓蕊莎娅妮姗婕媛娇妍姝婧瑾茜卉荷芝芷馨岚岩峻崇川江河涌洪润泉源淑惠贤善顺吉乐欢然思远恒彦昊晟昕曦晖晗景昱聪锐钧锦银铁钰健康艳胜爱民卫跃进援朝一二三四五六七八九天大伯仲叔季秀桃杏菁萌蒙琛琨瑛璋靖竹笑翠颂飚骏鹭鸣麟鼎汉沛浦淼滨潇澜灿炜烨焕煜熙然俐倩兆先光全军冰凌凯功勋华卓南博厚可同君启和咏哲唯嘉国坤城培基堂增士壮奇妙姣威娥婵媚嫦子孝学宁守安宏宗定宜宝实宪容宾寒尧展山岭峰崧巍巧希帆广庆康弘彤彩征德心志忠怀恩悦惠慈慧成才振捷敬文斐斌新方旭昂昆昌明春昭晋晓晨普景晶智曼月朋朗木杉杰松林柔栋树桂梦森楠欢正武毓民永江汝池沁沐沙治泉波泽洁洋津洪浩海涛涵淑深清渊温湘源溪滢漫潮澄炎烈焱然照燕爽玉王玥玮环珍珏珑琦琪琳琴瑞瑶瑾璐生田甜申男畅白百皓盈益真睿石研磊礼祥祯福禄秀科秋程稳童章竣端笛筱策箐粤素紫红纪纯绍经维绮缘罡美群羽翔翠翰耀聪胜能自舒舟航艺芃芬芳芸苗若英茂茵荣莉莹莺菁萍萱蒙蓉蓝蔚蕾薇虹融衍裕西言誉诗诚语谦豪贝贞贤资赛超越跃轩辉达迎运远连迪逸道遥金鑫铭锋镇长闻阳雁雄雅雨雪雯震霏露青静非韦韬韵顺颖飞香馨驰骏高鸿鹏鹤黎鼎齐"

// nameStopChars never stand in a given name: particles, pronouns,
// numbers of measure, time words and place suffixes (张伟说, 黄河路).
const nameStopChars = "副业物位家班城司且仍尚即便则乃却亦询诉议阅确公湖塘岭坳坡湾港洲坪垸寨屯的了是在不也都就还和与及或而但把被给对向从到于以之其这那哪些个们我你他她它您有没无要会能可将已再又很太更最所因为如若则却等并说讲问道去来上下内外前后里边面年月日时分号元次件种样点多少几每各该此本第路街区县村镇市省乡州院楼栋室层处部门局厅委办队站所校园厂店场馆社组"

// placeSuffixes after a candidate make it a place or an organisation
// (金星路, 王家湾, 李家村小学).
var placeSuffixes = []string{
	"路", "街", "区", "县", "村", "镇", "市", "省", "乡", "州", "巷", "弄", "里", "湾", "湖", "江", "河", "桥", "山", "岭", "坡", "冲", "塘", "坪",
	"洲", "港", "庄", "屯", "铺", "寨", "园", "苑", "城", "府", "寺", "庙", "店", "厂", "场", "馆", "院", "站", "所", "局", "厅", "中心", "公司",
	"集团", "银行", "医院", "学校", "中学", "小学", "大学", "学院", "酒店", "宾馆", "超市", "广场", "花园", "家园", "大道", "社区", "小区", "大厦",
	"机场", "公园", "道", "际", "景区", "片区", "组", "队", "号", "栋", "楼", "门", "牌", "线", "车", "站",
}

// bareNameWords are ordinary words, places and organisations that start with
// a surname's character; a candidate that starts one is not a name.
// Kept in one string, a word a field, so that adding one is one edit.
const bareNameWords = `
王府 王国 王牌 王者 王子 李子 张家界 张贴 张开 张扬 张罗 刘海 陈旧 陈列 陈述 陈设 陈年 杨梅 杨柳 黄河 黄金 黄色 黄花 黄土 黄昏 黄瓜 黄牛 黄页
赵家 吴家 周边 周末 周围 周期 周到 周知 周全 周转 周日 周一 周二 周三 周四 周五 周六 周岁 徐徐 孙子 孙女 马路 马上 马桶 马虎 马达 朱雀 胡同 胡乱 胡说
郭家 何时 何处 何地 何种 何况 何人 何必 何在 何事 高速 高层 高新 高中 高校 高铁 高架 高压 高温 高峰 高度 高兴 高楼 高档 高级 高价 高额 高效 高空 高考 高低
高处 高端 高龄 高山 高于 高达 高昂 高位 林业 林地 林木 林区 罗马 郑重 梁上 谢谢 宋体 唐朝 许可 许多 许久 韩国 冯家 邓家 曹家 彭家 曾经 曾是 曾在 肖像
田地 田间 田园 田野 董事 袁家 潘家 于是 于今 于此 于心 于法 蒋家 蔡家 余额 余下 余款 余地 余量 杜绝 叶子 程序 程度 苏州 苏醒 魏家 吕家 丁字 任何 任务
任意 任职 任期 沈阳 姚家 卢家 姜汤 崔家 钟点 钟表 钟楼 谭家 陆续 陆地 汪洋 范围 范畴 金融 金额 金色 金属 金钱 金星 金山 金牌 金鼎 石头 石材 石子 石板
石油 石灰 廖家 贾家 夏天 夏季 夏日 韦家 付款 付费 付出 付清 傅家 方便 方面 方案 方式 方法 方向 方位 方针 方可 方能 方才 方圆 方形 白天 白色 白云 白菜
白班 白领 白费 白白 邹家 孟家 熊家 秦家 邱家 江边 江南 江北 江西 江苏 尹家 薛家 闫家 段落 雷电 雷雨 雷同 侯家 龙头 龙虾 龙门 史上 史学 陶瓷 黎明 贺电
顾客 顾问 顾及 顾虑 毛病 毛巾 郝家 龚家 邵家 万元 万一 万家 万分 万达 万科 万事 万众 钱款 钱财 钱包 严重 严格 严肃 严禁 严厉 严查 严谨 严密 覃家 武器
武汉 戴家 莫名 莫过 孔洞 向前 向上 向下 向往 向来 向领导 向上级 向有关 向相关 向政府 向社区 向物业 向街道 向我 向你 向您 向他 向她 汤圆 常年 常住 常务
常委 常规 常识 常见 常用 常常 常态 温度 温暖 温泉 温馨 康复 施工 施行 施救 文件 文明 文化 文字 文物 文章 文艺 文体 文书 牛奶 樊家 葛家 邢家 安全 安装
安排 安置 安静 安心 安居 安保 安宁 安检 安监 安抚 安顿 齐全 齐心 易于 乔迁 伍家 庞大 颜色 颜料 倪家 庄稼 庄园 聂家 章程 鲁莽 岳麓 岳阳 翟家 殷切 詹家
申请 申报 申诉 申领 申明 欧洲 欧美 耿家 关于 关系 关注 关心 关闭 关键 关门 关联 关乎 关爱 关口 关停 兰州 焦急 焦点 俞家 左右 左边 左侧 柳树 甘肃 甘心
祝福 祝愿 包括 包含 包工 包干 包装 包子 宁可 宁愿 宁乡 尚未 尚且 尚有 尚在 符合 舒适 舒服 阮家 柯家 纪律 纪委 纪检 纪念 梅花 童年 童装 凌晨 凌乱 毕业
毕竟 单位 单元 单独 单身 单价 单据 单方 季度 季节 裴家 霍家 涂料 涂鸦 成立 成为 成本 成功 成绩 成品 成都 成员 成年 成交 成效 成果 成熟 苗木 苗头 谷歌
盛行 盛世 曲线 翁家 冉家 骆家 蓝天 蓝色 路面 路灯 路口 路段 路边 路过 路上 路人 路线 路由 游客 游泳 游戏 游玩 游乐 辛苦 靳家 管理 管道 管网 管委 管控
管辖 管护 管制 管家 柴油 蒙古 鲍家 华为 华人 喻家 祁家 蒲家 房东 房子 房屋 房产 房价 房租 房间 房主 房客 房管 房改 滕家 屈服 饶家 解决 解释 解答 解除
解放 解冻 解封 牟利 艾滋 尤其 阳光 阳台 穆家 农户 农民 农村 农业 农田 农药 农贸 农家 司机 司法 卓越 古代 古老 吉祥 缪家 简单 简直 简称 简易 简化 车辆
车主 车位 车库 车站 车子 车道 车牌 车流 车况 车费 车险 车间 项目 连续 连接 连锁 连日 连同 连带 芦苇 麦子 褚家 娄底 窦家 戚家 岑家 景区 景点 景观 景色
宫殿 费用 费率 卜家 冷水 冷气 冷漠 冷静 晏家 席位 卫生 卫星 米粉 米饭 柏油 宗旨 宗教 瞿家 桂花 佟家 应该 应当 应急 应对 应有 应付 应用 应届 应聘 臧家
闵家 苟家 邬家 边上 边境 边缘 卞家 姬家 师傅 师生 师范 师资 仇恨 栾家 隋家 商家 商户 商铺 商场 商业 商品 商量 商务 商贸 商住 刁难 沙发 沙子 沙石 荣誉
巫家 寇家 桑拿 郎家 甄别 丛林 仲裁 虞家 敖家 巩固 佘家 池塘 查处 查看 查询 查明 查实 查封 麻烦 麻将 苑家 迟迟 迟到 迟缓 邝家 官方 官员 官网 封闭 封路
封控 谈话 谈判 匡家 鞠躬 惠民 惠及 荆州 冀家 郁闷 胥家 班车 班级 班子 储存 储蓄 栗家 燕子 楚家 鄢家 谌家 奚落 皮肤 皮革 粟家 冼家 蔺家 闻到 厉害 伊始
仝家 郜家 阚家 屠宰 朴素 盖章 廉租 廉政 禹家 祖国 祖先 漆黑 巴士 丰富 卿家 狄家 宣传 宣布 晋升 容易 容纳 容量 敬请 敬礼 扈家 晁家 芮家 阙家 浦东 戈壁
鹿家 邸家 雍家 辜负 裘家 亓家 邰家 赫然 杭州 况且 逯家 隆重 茹家 诸多 诸位 诸如 慕名 亢家 嵇家 湛江 戎家 勾结 茅草 尉家 冶炼 檀家 昝家 衡阳 尧家
东方红 西门 百里 于一 于二 于三 于四 于五 于六 于七 于八 于九 于十 于今 于本 于上 于下 于前 于明 于每 于当 于近 于去 于次
廉耻 丰厚 于平台 官微 官兵 舒心 舒畅 连名 查阅 游医 何方 严正 易俗 安放 安插 安稳 安好 安然 班主任 关山 文中 成长 江山 宁静 顾全 包涵 高潮 苟利 万润 高一 高二 高三 初一 初二 初三 万丽 高职 房地产 盖房 梅溪 安沙 黄兴 荣府 星沙 华悦 金科 黄星 商城 游行
`

// wordsEndingInSurname are words whose last character is a surname's:
// a candidate right after their first character (有关情况, 由于天气,
// 经常发生, 现任法定代表人) is no name.
const wordsEndingInSurname = `
有关 相关 机关 无关 海关 攸关 难关 把关 公关 由于 关于 属于 对于 位于 至于 高于 低于 等于 大于 小于 处于 用于 基于 终于 在于 过于 善于 敢于 勇于 乐于 便于
鉴于 出于 立于 易于 忠于 源于 限于 归于 趋于 免于 急于 苦于 碍于 经常 非常 平常 正常 日常 异常 反常 通常 往常 寻常 照常 常常 公司 上司 调查 检查 审查 核查
排查 经查 抽查 追查 清查 督查 巡查 现任 主任 责任 担任 信任 前任 历任 继任 兼任 首任 新任 就任 上任 聘任 留任 接任 出任 委任 放任 离任 任何 如何 为何 几何
奈何 开发商 房地产商 供应商 经销商 协商 商商 招商 经商 农商 电商 厂商 外商 客商 三方 对方 双方 地方 官方 校方 警方 院方 甲方 乙方 各方 多方 党方 一方 主方
药方 配方 处方 平方 立方 东方 西方 南方 北方 远方 消费 经费 收费 免费 浪费 学费 物业费 缴费 交费 花费 付费 话费 电费 水费 运费 路费 资费 会费 费费
教师 老师 律师 工程师 医师 技师 厨师 会计师 设计师 讲师 牧师 导师 大师 法师 师师 响应 相应 供应 反应 适应 对应 回应 答应 效应 理应 本应 应应 帖文 发文
公文 原文 全文 正文 课文 语文 中文 英文 条文 下文 上文 行文 工程 过程 章程 议程 日程 路程 流程 规程 进程 课程 疗程 全程 行程 里程 下班 上班 加班 值班 早班
晚班 夜班 班班 航班 跟班 一班 二班 三班 情况 状况 何况 概况 近况 现况 实况 盛况 境况 感谢 谢谢 致谢 代谢 凋谢 周周 四周 每周 上周 下周 本周 一周 两周 示范
规范 防范 模范 典范 住房 购房 买房 租房 交房 卖房 楼房 平房 厨房 机房 库房 病房 药房 票房 私房 新房 旧房 民房 厂房 号房 营房 车房 乾隆 兴隆 一万 千万 上万
百万 几万 数万 积金 资金 基金 现金 押金 租金 奖金 罚金 薪金 黄金 五金 美金 合金 定金 订金 保证金 分管 主管 不管 城管 监管 托管 接管 代管 掌管 看管 保管 水管
物管 托管 血管 管管 国王 霸王 帝王 称王 大王 不顾 照顾 光顾 回顾 兼顾 顾顾 造成 完成 形成 组成 达成 促成 建成 变成 构成 赞成 落成 养成 生成 合成 现成 竣工成
旅游 上游 下游 导游 出游 理解 了解 缓解 化解 调解 和解 见解 讲解 破解 分解 误解 溶解 谅解 开车 停车 租车 交车 堵车 汽车 火车 货车 公车 私车 班车 单车 骑车
电车 泊车 错车 倒车 试车 洗车 修车 校车 客车 卡车 列车 轿车 车车 容易 交易 贸易 简易 平易 不易 事项 款项 专项 各项 多项 此项 该项 一项 立项 逐项 强项
退伍 队伍 入伍 汗钱 血汗钱 价钱 赚钱 挣钱 花钱 有钱 没钱 本钱 工钱 零钱 捍卫 保卫 门卫 环卫 自卫 警卫 后卫 守卫 保安 平安 公安 治安 晚安 不安 早安 问安
母官 法官 警官 军官 器官 感官 百官 长官 考官 儿童 学童 嚣张 夸张 主张 紧张 扩张 开张 铺张 伸张 慌张 棉麻 芝麻 简单 清单 账单 名单 传单 菜单 订单 保单 罚单
工单 买单 表单 报单 单单 跋扈 一封 两封 这封 那封 此封 商方 交管 阶段 手段 片段 路段 地段 时段 身段 分段 区段 机动车 永安 分钟 点钟 时钟 闹钟 施工方 建设方 开发方 物业方 业主方 卖方 买方 租方 建房 一章 二章 三章 四章 五章 六章 七章 八章 九章 十章 本章 该章 文章 规章 印章 公章 前方 后方 允许 也许 或许 准许 特许 默许 许许 兴宁 康宁 安宁 集宁 丁宁 叮咛 尊敬 致敬 回敬 孝敬 星沙 长沙 黄沙 风沙 泥沙 矿沙 鑫苑 花苑
家苑 宿舍 清楚 痛楚 苦楚 翘楚 踢皮 一路 马路 公路 道路 线路 铁路 水路 思路 出路 来路 去路 网路 电路 走路 带路 让路 修路 封路 通路 旁边 身边 周边 两边
那边 这边 东边 西边 南边 北边 路边 岸边 河边 江边 海边 手边 左边 右边 外边 里边 上边 下边 后边 前边 边边 长江 大江 过江 龙龙 恐龙 排龙 长龙 水龙 乌龙
车水马龙 保洁 联系 关系 体系 派系 直系 旁系 江湖 江江 宁宁 宫宫 宫殿 行宫 子宫 故宫 迷宫 石石 岩石 大理石 碎石 砂石 宝石 矿石 钻石 化石 金石 时间 期间
中间 房间 民间 之间 空间 夜间 田间 人间 晚间 车间 林林 园林 森林 树林 竹林 山林 雨林 武林 少林 桂林 吉林 榆林 柳柳 杨柳 垂柳 毛毛 羽毛 皮毛 鸡毛 一毛
不毛 `

// wordsEndingInSurnameList is wordsEndingInSurname split into words.
var wordsEndingInSurnameList = strings.Fields(wordsEndingInSurname)

// bareNameWordList is bareNameWords split into words.
var bareNameWordList = strings.Fields(bareNameWords)

// maskBareNames masks personal names written without a title or cue word:
// 张建华反映… → [姓名]反映…, 已联系李秀英核实 → 已联系[姓名]核实.
func maskBareNames(s string) string {
	if !strings.ContainsAny(s, bareSurnames) && !hasAnyCompound(s) {
		return s
	}
	runes := []rune(s)
	var b strings.Builder
	last := 0
	for i := 0; i < len(runes); {
		if end := bareNameAt(runes, i); end > i {
			b.WriteString(string(runes[last:i]))
			b.WriteString(maskPerson)
			last, i = end, end
			continue
		}
		i++
	}
	if last == 0 {
		return s
	}
	b.WriteString(string(runes[last:]))
	return b.String()
}

// hasAnyCompound reports whether s holds a compound surname.
func hasAnyCompound(s string) bool {
	for _, c := range bareCompoundSurnames {
		if strings.Contains(s, c) {
			return true
		}
	}
	return false
}

// bareNameAt returns where a bare name starting at runes[i] ends, or i
// when none starts there.
func bareNameAt(runes []rune, i int) int {
	if partOfMask(runes, i) {
		return i
	}
	surname := bareSurnameLen(runes[i:])
	if surname == 0 {
		return i
	}
	rest := string(runes[i:])
	if hasSuffixAny(string(runes[max(0, i-4):i+1]), wordsEndingInSurnameList) {
		return i // 有关情况, 由于天气: the surname's character ends a word
	}
	for _, w := range bareNameWordList {
		if strings.HasPrefix(rest, w) {
			return i // 王府井, 高速公路, 于是: a word, no name
		}
	}
	if placeWordWithin(runes, i+surname) {
		return i // 云阳中学, 金福超市: the candidate runs into a place word
	}
	before := string(runes[max(0, i-4):i])
	introduced := hasSuffixAny(before, nameBeforeCues)
	// A one-character cue (和, 与, 给, 由 …) also ends words (迪和, 参与)
	// and precedes place names (和梅溪湖): the name must end there too.
	weakIntro := introduced && !hasSuffixAny(before, strongBeforeCues)
	// A full name (two given characters) is tried first: 刘德明家 is
	// 刘德明, not 刘德 followed by 明家.
	for given := 2; given >= 1; given-- {
		end := i + surname + given
		if end > len(runes) || !givenName(runes[i+surname:end]) {
			continue
		}
		after := string(runes[end:min(len(runes), end+4)])
		if !hasPrefixAny(after, notAfterCues) {
			if hasPrefixAny(after, nameAfterCues) {
				return end
			}
			if hasPrefixAny(after, weakAfterCueList) && allIn(runes[i+surname:end], givenNameChars) &&
				!(strings.HasPrefix(after, "家") && strings.ContainsRune(homeWords, runes[end-1])) {
				return end
			}
		}
		// A two-character name after a cue must end there too (本人华润橡树湾
		// is a housing estate); a full name made of given-name characters
		// may run into the next word (村民姚桃先签订).
		if introduced && allIn(runes[i+surname:end], givenNameChars) && !hasPrefixAny(after, placeSuffixes) &&
			(given == 2 && !weakIntro || nameEndsAt(runes, end)) {
			return end
		}
	}
	return i
}

// placeWords are the place and organisation words of placeSuffixes that
// are longer than a character, and 超市.
var placeWords = func() []string {
	words := []string{"超市"}
	for _, w := range placeSuffixes {
		if len([]rune(w)) >= 2 {
			words = append(words, w)
		}
	}
	return words
}()

// placeWordWithin reports whether one of placeWords starts at runes[from]
// or the character after it, where a given name would stand.
func placeWordWithin(runes []rune, from int) bool {
	for k := from; k < min(len(runes), from+2); k++ {
		if hasPrefixAny(string(runes[k:min(len(runes), k+4)]), placeWords) {
			return true
		}
	}
	return false
}

// partOfMask reports whether runes[i] sits inside a mask label ([门牌]).
func partOfMask(runes []rune, i int) bool {
	for j := i - 1; j >= 0 && j >= i-6; j-- {
		switch runes[j] {
		case '[':
			return true
		case ']':
			return false
		}
	}
	return false
}

// bareSurnameLen returns the length in runes of the surname r starts
// with, 0 for none.
func bareSurnameLen(r []rune) int {
	if len(r) >= 2 {
		two := string(r[:2])
		for _, c := range bareCompoundSurnames {
			if two == c {
				return 2
			}
		}
	}
	if len(r) >= 1 && strings.ContainsRune(bareSurnames, r[0]) {
		return 1
	}
	return 0
}

// givenName reports whether r can be a given name: Han characters, none
// of them a particle, pronoun or place suffix.
func givenName(r []rune) bool {
	for _, c := range r {
		if !unicode.Is(unicode.Han, c) || strings.ContainsRune(nameStopChars, c) {
			return false
		}
	}
	return true
}

func allIn(r []rune, set string) bool {
	for _, c := range r {
		if !strings.ContainsRune(set, c) {
			return false
		}
	}
	return true
}

func hasPrefixAny(s string, words []string) bool {
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

func hasSuffixAny(s string, words []string) bool {
	for _, w := range words {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}
