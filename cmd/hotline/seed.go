package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/cityhotline/hotline"
	"github.com/cityhotline/hotline/account"
	"github.com/cityhotline/hotline/internal/refseed"
	"github.com/cityhotline/hotline/ticketing"
)

// seedReference loads the shipped units, categories, catalogue and
// knowledge base into an empty store (internal/refseed, shared with
// hotlinectl seed).
func seedReference(ctx context.Context, svc *ticketing.Service, refFS fs.FS, log *slog.Logger) error {
	_, err := refseed.Load(ctx, svc, refFS, log)
	return err
}

// demoPassword is the password of every demo account: the demo is for a
// first look on one machine, never for a deployment.
const demoPassword = "demo12345"

type demoUser struct {
	username, name, role string
	unit                 hotline.UnitID
}

var demoUsers = []demoUser{
	{"agent1", "话务员一", "agent", ""},
	{"agent2", "话务员二", "agent", ""},
	{"dispatcher1", "派单员一", "dispatcher", ""},
	{"supervisor1", "督办员一", "supervisor", ""},
	{"analyst1", "分析员一", "analyst", ""},
	{"heating1", "热力集团承办人", "unit", "soe.heating"},
	{"jianwai1", "建外街道承办人", "unit", "110105-001"},
	{"chaoyang1", "朝阳区承办人", "unit", "110105"},
	{"zhongguancun1", "中关村街道承办人", "unit", "110108-010"},
}

var demoTickets = []ticketing.IntakeInput{
	{Type: "complaint", Category: "heating.cold", Content: "家中暖气不热，室温只有十四度，老人孩子受不了", Address: "北京市朝阳区建外街道永安里小区5号楼", ContactNumber: "13800138001", CitizenName: "王女士"},
	{Type: "help", Category: "sanitation.streetlight", Content: "小区门口路灯不亮一周了，晚上出行不安全", Address: "北京市朝阳区建外街道光华路12号", ContactNumber: "13800138002"},
	{Type: "complaint", Category: "property.service", Content: "物业不清理楼道堆物，存在消防隐患", Address: "北京市海淀区中关村街道科学院南路小区", ContactNumber: "13800138003"},
	{Type: "consult", Category: "heating.fee", Content: "咨询供暖费缴纳时间和方式", Address: "北京市西城区", ContactNumber: "13800138004", Triage: "answered", Reason: "按热力公司通知在供暖季前缴纳，可线上缴费"},
}

// seedDemo creates the demo accounts and sample tickets once, and prints
// the credentials.
func seedDemo(ctx context.Context, svc *ticketing.Service, accounts *account.Service, log *slog.Logger) error {
	admin := hotline.System
	created := 0
	for _, u := range demoUsers {
		_, err := accounts.CreateUser(ctx, admin, account.UserInput{Username: u.username, Name: u.name, Role: u.role, Unit: string(u.unit), Password: demoPassword})
		switch hotline.ErrorCode(err) {
		case "":
			created++
		case hotline.ECONFLICT:
		default:
			return fmt.Errorf("demo account %s: %w", u.username, err)
		}
	}
	if created > 0 {
		agent := hotline.Actor{UserID: "agent1", Name: "话务员一", Role: hotline.RoleAgent}
		for _, in := range demoTickets {
			in.Channel = "phone"
			if _, _, err := svc.Intake(ctx, agent, in, ticketing.IdemKey{}); err != nil {
				return fmt.Errorf("demo ticket: %w", err)
			}
		}
		log.Info("demo data created", "accounts", created, "tickets", len(demoTickets))
	}
	fmt.Fprintf(os.Stderr, "\n  demo accounts (password %s): ", demoPassword)
	for _, u := range demoUsers {
		fmt.Fprintf(os.Stderr, "%s (%s) ", u.username, u.role)
	}
	fmt.Fprintln(os.Stderr)
	fmt.Fprintln(os.Stderr)
	return nil
}
