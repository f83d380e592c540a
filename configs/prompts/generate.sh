#!/bin/sh
# generate.sh makes the stand-in IVR prompts: Mandarin with espeak-ng's cmn
# voice into zh-CN/, English with its en voice into en/, each converted by
# sox to 8 kHz mono 16-bit WAV with the leading and trailing silence trimmed.
#
# Re-run it after changing a text below (it rewrites every file):
#   sh configs/prompts/generate.sh
# Needs espeak-ng and sox (Debian: apt-get install -y espeak-ng sox).
#
# Real recordings replace these: put <lang>/<name>.wav files of the same
# names (8 kHz mono 16-bit PCM) in a directory and point prompts_dir at it
# (docs/ivr.md).
set -eu

dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

for tool in espeak-ng sox; do
	command -v "$tool" >/dev/null 2>&1 || { echo "generate.sh: $tool not found" >&2; exit 1; }
done

# say LANG-DIR VOICE NAME TEXT
say() {
	mkdir -p "$dir/$1"
	espeak-ng -v "$2" -s 165 -w "$tmp/raw.wav" "$4"
	# rate → 8 kHz, mono, 16 bit, no dither (so re-runs give the same bytes);
	# trim silence at both ends; leave 3 dB headroom.
	sox -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$dir/$1/$3.wav" \
		silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse gain -n -3
}
zh() { say zh-CN cmn "$1" "$2"; }
en() { say en en "$1" "$2"; }

# --- flow prompts (both languages) -------------------------------------------
zh greeting          "您好，这里是幺二三四五市民服务热线。"
en greeting          "Hello, this is the one two three four five citizen service hotline."
zh greeting-holiday  "您好，这里是幺二三四五市民服务热线，节假日照常为您服务。"
en greeting-holiday  "Hello, this is the one two three four five citizen service hotline, open as usual on holidays."
en for-english       "For English service, press 9."
zh main-menu         "诉求反映请按1，政策咨询请按2，企业服务请按3，人工服务请按0。"
en main-menu         "To report a problem, press 1. For policy questions, press 2. For business services, press 3. To speak to an operator, press 0."
zh invalid-input     "输入有误，请重新选择。"
en invalid-input     "Sorry, that is not a valid choice. Please choose again."
zh no-input          "没有收到您的按键，请重新选择。"
en no-input          "We did not receive your choice. Please choose again."
zh please-hold       "正在为您转接，请稍候。"
en please-hold       "Please hold while we connect you."
zh overload          "当前来电较多，请您耐心等待。"
en overload          "We are receiving many calls at the moment. Thank you for your patience."
zh goodbye           "感谢您的来电，再见。"
en goodbye           "Thank you for calling. Goodbye."
zh thank-you         "谢谢。"
en thank-you         "Thank you."

# --- queue announcements: 您前面还有 N 位，预计等待 约 M 分钟 ----------------
# (English reads "about N minutes": minute for one, minutes for more)
zh queue-ahead       "您前面还有"
en queue-ahead       "Callers ahead of you:"
zh queue-people      "位"
en queue-people      "callers."
zh queue-wait        "预计等待"
en queue-wait        "Estimated wait:"
zh about             "约"
en about             "about"
zh minute            "分钟"
en minute            "minute"
en minutes           "minutes"

# --- digits and number words (media's SayNumber / SayDigits) ----------------
set -- 零 一 二 三 四 五 六 七 八 九
for i in 0 1 2 3 4 5 6 7 8 9; do
	zh "digit-$i" "$1"
	shift
done
zh digit-1-yao       "幺"
zh num-10            "十"
zh num-100           "百"
zh num-1000          "千"
zh num-10000         "万"
zh num-zero-filler   "零"

set -- zero one two three four five six seven eight nine
for i in 0 1 2 3 4 5 6 7 8 9; do
	en "digit-$i" "$1"
	shift
done
en digit-1-yao       "one"
set -- ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen
for i in 10 11 12 13 14 15 16 17 18 19; do
	en "num-$i" "$1"
	shift
done
set -- twenty thirty forty fifty sixty seventy eighty ninety
for i in 20 30 40 50 60 70 80 90; do
	en "num-$i" "$1"
	shift
done
en hundred           "hundred"
en thousand          "thousand"

# --- satisfaction survey (configs/ivr/survey.yaml, docs/ivr.md "Survey") -----
# The request is named by date and ticket number: 关于您于 M 月 D 日反映的问题，
# 工单编号 …; the category is free text and is not spoken.
zh survey-greeting   "您好，这是幺二三四五热线回访，人工请按0。"
en survey-greeting   "This is a follow-up call from the hotline. For an operator, press 0."
zh survey-next       "还有一件诉求。"
en survey-next       "One more request."
zh survey-about      "关于您于"
en survey-about      "About your request of month"
zh survey-month      "月"
en survey-month      "day"
zh survey-day        "日反映的问题。"
en survey-day        "this year."
zh survey-ticket     "工单编号"
en survey-ticket     "Ticket number"
zh survey-q1         "承办单位是否联系了您？是按1，否按2。"
en survey-q1         "Did the unit contact you? Yes, press 1. No, press 2."
zh survey-q2         "问题是否已经解决？是按1，否按2。"
en survey-q2         "Is the problem resolved? Yes, press 1. No, press 2."
zh survey-q3         "是否满意？满意按1，基本满意按2，不满意按3。"
en survey-q3         "Are you satisfied? Satisfied, 1. Basically satisfied, 2. Dissatisfied, 3."
zh survey-agent      "正在转接人工，请稍候。"
en survey-agent      "Transferring you to an operator."
zh survey-thanks     "感谢您的配合，再见。"
en survey-thanks     "Thank you. Goodbye."

# --- while queued for an agent ----------------------------------------------
zh agent-lost        "抱歉，坐席连接中断，正在为您重新转接，请稍候。"
en agent-lost        "Sorry, we lost the connection to the operator. Connecting you again, please hold."
zh callback-offer    "当前来电较多，我们已记录您的号码，将尽快给您回电。感谢您的来电，再见。"
en callback-offer    "All operators are busy. We have noted your number and will call you back soon. Thank you, goodbye."

# --- hold music (language-free; played between "please hold" while queued) ---
# A soft arpeggio of plucked notes, 12 s, made by sox alone.
music() {
	notes="C4 E4 G4 C5 G4 E4 A3 C4 E4 A4 E4 C4 F3 A3 C4 F4 C4 A3 G3 B3 D4 G4 D4 B3"
	i=0
	for n in $notes; do
		sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "$tmp/n$(printf %02d $i).wav" \
			synth 0.5 pluck "$n" fade 0 0.5 0.3 gain -12
		i=$((i + 1))
	done
	sox -D "$tmp"/n*.wav "$dir/zh-CN/hold-music.wav"
}
music
