package classify

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// generated returns n titles over 7 labels, built from a place, a
// label-specific problem and a filler, with a seeded generator.
func generated(n int) []Example {
	places := []string{"A市", "B2区", "月湖街道", "K8县丽发新城小区", "星沙镇", "天华路", "东风村", "C市滨江花园"}
	problems := map[string][]string{
		"城乡建设":    {"物业乱收费", "房产证迟迟办不下来", "小区电梯故障", "拆迁补偿不到位", "违章建筑无人管"},
		"环境保护":    {"搅拌站噪音扰民", "餐馆油烟污染", "工厂偷排污水", "垃圾焚烧臭气", "扬尘严重"},
		"交通运输":    {"公交线路太少", "渣土车超载", "出租车拒载", "红绿灯设置不合理", "路口拥堵"},
		"教育文体":    {"学校乱收费", "学位不足", "老师有偿补课", "幼儿园招生不公", "校车安全隐患"},
		"劳动和社会保障": {"拖欠农民工工资", "社保断缴", "养老金发放", "工伤认定难", "公积金提取"},
		"商贸旅游":    {"商家虚假宣传", "景区门票涨价", "预付卡退款难", "传销活动猖獗", "超市卖过期食品"},
		"卫生计生":    {"医院乱收费", "疫苗接种", "二胎准生证", "医生态度差", "诊所无证行医"},
	}
	fillers := []string{"", "，请尽快解决", "，严重影响生活", "的问题", "，希望有关部门处理"}
	labels := []string{"城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]Example, n)
	for i := range out {
		l := labels[rng.IntN(len(labels))]
		p := problems[l][rng.IntN(len(problems[l]))]
		out[i] = Example{Text: places[rng.IntN(len(places))] + p + fillers[rng.IntN(len(fillers))], Label: l}
	}
	return out
}

func BenchmarkTrain(b *testing.B) {
	for _, n := range []int{1000, 6000} {
		ex := generated(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Train(ex, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPredict(b *testing.B) {
	m, err := Train(generated(6000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	texts := []string{"A市月湖街道小区物业乱收费，请尽快解决", "工地拖欠农民工工资三个月", "夜间施工噪音扰民严重影响休息"}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m.Predict(texts[i%len(texts)], 3)
		i++
	}
}
