/**
 * Outgoing mail. Every message is recorded in `mail_outbox`; when SMTP_URL is set it is also
 * sent through SMTP (nodemailer). Without SMTP, `npm run atrium -- mail:outbox` prints the
 * outbox so a developer can follow verification, reset and invitation links. nodemailer loads
 * with the first message sent, not with every server start.
 */
import type { Transporter } from "nodemailer";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "./db/schema";
import type { Logger } from "./log";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export class Mailer {
  private transport: Promise<Transporter> | null = null;

  constructor(
    private readonly smtpUrl: string | undefined,
    private readonly from: string,
    private readonly log: Logger,
  ) {}

  /** Records the message and, with SMTP configured, sends it. Sending failures are recorded, not thrown. */
  async send(db: Kysely<KernelDatabase>, message: MailMessage): Promise<void> {
    const row = await db
      .insertInto("mail_outbox")
      .values({ to_address: message.to, subject: message.subject, text_body: message.text })
      .returning("id")
      .executeTakeFirstOrThrow();
    const smtpUrl = this.smtpUrl;
    if (!smtpUrl) return;
    try {
      this.transport ??= import("nodemailer").then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl));
      const transport = await this.transport;
      await transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
      await db.updateTable("mail_outbox").set({ sent_at: new Date() }).where("id", "=", row.id).execute();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.log.warn({ mailId: row.id, error }, "sending mail failed");
      await db.updateTable("mail_outbox").set({ error }).where("id", "=", row.id).execute();
    }
  }
}
