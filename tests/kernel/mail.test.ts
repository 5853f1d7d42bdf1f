/**
 * Outgoing mail (src/kernel/mail.ts): every message lands in the outbox; with SMTP configured it
 * is also delivered, here to a small SMTP listener on loopback that nodemailer talks to as to any
 * server. A server that cannot be reached is recorded on the message, never thrown at the caller.
 */
import net from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createLogger } from "~/kernel/log";
import { Mailer } from "~/kernel/mail";
import { useTestKernel } from "../setup/kernel";
import { unique } from "../setup/fixtures";

const booted = useTestKernel();

/** What the listener received: one entry per message (envelope and raw data). */
const received: Array<{ from: string; to: string[]; data: string }> = [];
let smtp: net.Server;
let smtpPort = 0;

beforeAll(async () => {
  smtp = net.createServer((socket) => {
    socket.setEncoding("utf8");
    let buffer = "";
    let inData = false;
    let current = { from: "", to: [] as string[], data: "" };
    socket.write("220 localhost ESMTP test\r\n");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push(current);
          current = { from: "", to: [], data: "" };
          socket.write("250 OK queued\r\n");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250 localhost\r\n");
        else if (verb === "MAIL") {
          current.from = line;
          socket.write("250 OK\r\n");
        } else if (verb === "RCPT") {
          current.to.push(line);
          socket.write("250 OK\r\n");
        } else if (verb === "DATA") {
          inData = true;
          socket.write("354 go ahead\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 OK\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => smtp.close(resolve));
});

async function outboxRow(to: string) {
  return booted.kernel.ownerDb.selectFrom("mail_outbox").selectAll().where("to_address", "=", to).executeTakeFirstOrThrow();
}

test("with SMTP configured a message is recorded, delivered and marked sent", async () => {
  const mailer = new Mailer(`smtp://127.0.0.1:${smtpPort}`, "Atrium <atrium@example.test>", createLogger("silent"));
  const to = `${unique("mail")}@example.test`;
  await mailer.send(booted.kernel.ownerDb, { to, subject: "Verify your address", text: "Open the link to verify." });

  const delivered = received.find((m) => m.to.some((line) => line.includes(to)));
  expect(delivered?.from).toContain("atrium@example.test");
  expect(delivered?.data).toContain("Subject: Verify your address");
  expect(delivered?.data).toContain("Open the link to verify.");
  const row = await outboxRow(to);
  expect(row.sent_at).toBeInstanceOf(Date);
  expect(row.error).toBeNull();

  // The transport is made once and used again.
  const second = `${unique("mail")}@example.test`;
  await mailer.send(booted.kernel.ownerDb, { to: second, subject: "Again", text: "Second message." });
  expect(received.some((m) => m.to.some((line) => line.includes(second)))).toBe(true);
});

test("a server that cannot be reached leaves the message in the outbox with the error", async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));

  const mailer = new Mailer(`smtp://127.0.0.1:${port}`, "atrium@example.test", createLogger("silent"));
  const to = `${unique("mail")}@example.test`;
  await expect(mailer.send(booted.kernel.ownerDb, { to, subject: "Invitation", text: "Join us." })).resolves.toBeUndefined();
  const row = await outboxRow(to);
  expect(row.sent_at).toBeNull();
  expect(row.error).toMatch(/ECONNREFUSED|connect/i);
});

test("without SMTP a message is only recorded", async () => {
  const mailer = new Mailer(undefined, "atrium@example.test", createLogger("silent"));
  const to = `${unique("mail")}@example.test`;
  const before = received.length;
  await mailer.send(booted.kernel.ownerDb, { to, subject: "Reset your password", text: "Open the link." });
  const row = await outboxRow(to);
  expect(row.subject).toBe("Reset your password");
  expect(row.sent_at).toBeNull();
  expect(row.error).toBeNull();
  expect(received.length).toBe(before);
});
