package hotspot

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"
)

// synthetic returns n messages over 30 days in a city of 18 districts,
// about 14,000 compounds and 40 matters, each told in three ways: most are
// background (a random matter at a random compound), and one in ten belongs
// to one of 200 hot spots (a matter at a compound, from day 20 on).
func synthetic(n int) []Message {
	r := rand.New(rand.NewPCG(7, 11))
	syll := []rune("安宝北滨城春翠大德东芳丰福富港光广海和河华佳嘉建江金锦景康丽林龙绿美明南鹏平秋瑞山上盛世泰天通万文西祥新兴阳怡永裕园悦云长正中")
	suffix := []string{"小区", "花园", "家园", "苑"}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	compound := func() string {
		return string([]rune{syll[r.IntN(len(syll))], syll[r.IntN(len(syll))], syll[r.IntN(len(syll))]}) + pick(suffix)
	}
	matters := [][]string{}
	for _, m := range []string{
		"暖气不热|供暖温度低|暖气片冰凉", "夜间施工噪音扰民|工地晚上施工太吵|施工噪声影响休息",
		"路灯不亮|路灯坏了晚上很黑|路灯损坏", "电梯故障困人|电梯经常停运|电梯维修不及时",
		"垃圾清运不及时|垃圾堆积发臭|垃圾桶满了没人收", "停水没有通知|自来水水压低|水管破裂漏水",
		"停车位被占用|小区停车难|车位乱收费", "餐馆油烟扰民|烧烤油烟直排|饭店油烟太大",
		"物业乱收费|物业服务差|物业不作为", "违章搭建|私搭乱建|违建影响通行",
		"下水道堵塞|污水外溢|化粪池满了", "广场舞噪音|音响声音太大|跳舞扰民",
		"宠物狗扰民|遛狗不拴绳|流浪狗咬人", "井盖缺失|井盖松动|窨子盖破损",
		"道路破损|路面坑洼|人行道砖松动", "公交车绕行|公交站取消|公交间隔太长",
		"学校周边拥堵|接送孩子堵车|校门口乱停车", "房屋漏水|楼顶渗水|外墙脱落",
		"燃气异味|燃气表故障|燃气费异常", "供电不稳|经常停电|电压不稳",
	} {
		matters = append(matters, strings.Split(m, "|"))
	}
	for k := range 20 { // 20 more matters, generated
		matters = append(matters, []string{fmt.Sprintf("第%d类问题反映", k), fmt.Sprintf("第%d类事项投诉", k), fmt.Sprintf("关于第%d类情况", k)})
	}
	fillers := []string{"请尽快处理", "希望有关部门解决", "已经持续好几天了", "多次反映没有结果", "影响居民生活", ""}
	compounds := make([]string, 14000)
	for i := range compounds {
		compounds[i] = compound()
	}
	type spot struct{ c, m int }
	spots := make([]spot, 200)
	for i := range spots {
		spots[i] = spot{r.IntN(len(compounds)), r.IntN(len(matters))}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	month := int64(30 * 24 * time.Hour)
	msgs := make([]Message, n)
	for i := range msgs {
		c, m, t := r.IntN(len(compounds)), r.IntN(len(matters)), r.Int64N(month)
		if r.IntN(10) == 0 {
			s := spots[r.IntN(len(spots))]
			c, m, t = s.c, s.m, month*2/3+r.Int64N(month/3)
		}
		district := fmt.Sprintf("%c%d区", 'A'+c%3, 1+c%6) // a compound lies in one district
		title := compounds[c] + pick(matters[m])
		msgs[i] = Message{
			ID:      fmt.Sprintf("%07d", i),
			Title:   title,
			Text:    district + compounds[c] + pick(matters[m]) + "，" + pick(fillers),
			Citizen: fmt.Sprintf("u%d", r.IntN(n)),
			Support: r.IntN(3),
			Time:    start.Add(time.Duration(t)),
		}
	}
	return msgs
}

func benchmarkHotspots(b *testing.B, n int) {
	msgs := synthetic(n)
	b.ReportAllocs()
	b.ResetTimer()
	var res Result
	cpu := cpuTime()
	for b.Loop() {
		res = Find(msgs, Config{Top: 20})
	}
	cpu = cpuTime() - cpu
	b.StopTimer()
	b.ReportMetric(float64(len(res.Clusters[0].Members)), "top-size")
	// CPU seconds of the whole process (all goroutines, GC included) per
	// op: on a shared machine a fairer figure than the time per op.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHotspotsMonth: a month of 2 million messages in one op.
func BenchmarkHotspotsMonth(b *testing.B) { benchmarkHotspots(b, 2_000_000) }

// BenchmarkHotspots200k: the same with 200,000 messages.
func BenchmarkHotspots200k(b *testing.B) { benchmarkHotspots(b, 200_000) }
