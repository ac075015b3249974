//! Command-line arguments of `trubka-cli` (see shared/design/contract.md).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Trubka's headless agent: the same engine and profile as the desktop app.
#[derive(Debug, Parser)]
#[command(name = "trubka-cli", version, about)]
pub struct Cli {
    /// Profile folder (settings, token, local cache). Default: $TRUBKA_HOME, else the OS data dir.
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in: with the admin's one-time invite link (`--invite`), or with the relay's
    /// address and a token. Checks the token with the relay (/v1/me) and stores it in the
    /// profile.
    Login {
        #[arg(long, value_name = "URL", required_unless_present = "invite")]
        relay: Option<String>,
        #[arg(long, value_name = "TOKEN", required_unless_present = "invite")]
        token: Option<String>,
        /// The invite link (https://RELAY/join/CODE, or trubka://join?relay=…&code=…); it
        /// works once, and signing in with it replaces the agent's previous token.
        #[arg(long, value_name = "URL", conflicts_with_all = ["relay", "token"])]
        invite: Option<String>,
    },
    /// Forget the stored token.
    Logout,
    /// Follow the event stream and print each call card update as it happens.
    Listen {
        /// One JSON object per line instead of the terminal view.
        #[arg(long)]
        json: bool,
    },
    /// Place a call through the relay (any common number format).
    Dial {
        number: String,
        /// Through a UIS scenario or Sipuni scheme, by name (see `scenarios`).
        #[arg(long, value_name = "NAME")]
        scenario: Option<String>,
    },
    /// The UIS scenarios and Sipuni schemes `dial --scenario` can use.
    Scenarios {
        #[arg(long)]
        json: bool,
    },
    /// Send an offline request («заявка») for a caller to UIS, filed under a site or a
    /// campaign; `--list` shows the sites and campaigns.
    Request {
        /// The caller's number, any common format.
        #[arg(long, required_unless_present = "list")]
        phone: Option<String>,
        /// What the caller wants.
        #[arg(long, required_unless_present = "list")]
        message: Option<String>,
        /// The caller's name.
        #[arg(long)]
        name: Option<String>,
        /// A site's name (its domain) or id.
        #[arg(long, value_name = "NAME")]
        site: Option<String>,
        /// A campaign's name or id.
        #[arg(long, value_name = "NAME")]
        campaign: Option<String>,
        /// List the sites and campaigns instead of sending.
        #[arg(long, conflicts_with_all = ["phone", "message", "name", "site", "campaign"])]
        list: bool,
        #[arg(long)]
        json: bool,
    },
    /// Call history, newest first.
    History {
        /// Only missed incoming calls.
        #[arg(long, conflicts_with_all = ["incoming", "outgoing"])]
        missed: bool,
        /// Only incoming calls.
        #[arg(long = "in", conflicts_with = "outgoing")]
        incoming: bool,
        /// Only outgoing calls.
        #[arg(long = "out")]
        outgoing: bool,
        /// A number in any format, its last digits, or part of a name.
        #[arg(long, value_name = "Q")]
        search: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Continue after this page cursor (printed at the end of a page).
        #[arg(long, value_name = "CURSOR")]
        before: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Missed-call follow-ups (callers to call back).
    Followups {
        #[command(subcommand)]
        action: Option<FollowupsAction>,
        /// Closed ones too.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// The address book.
    Contacts {
        #[command(subcommand)]
        action: ContactsAction,
    },
    /// Put the contact of a call in progress on hold (CALL_ID as `listen` shows it).
    Hold { call_id: String },
    /// Take the contact of a call off hold.
    Resume { call_id: String },
    /// End a call.
    Hangup { call_id: String },
    /// Hand a call to a colleague (`--to` a name or a number); `--attended` talks to them
    /// first, then `--complete` or `--cancel`.
    Transfer {
        call_id: String,
        /// A colleague's name as the relay knows it (see `status`), or a number.
        #[arg(long, value_name = "NAME|NUMBER", required_unless_present_any = ["complete", "cancel"])]
        to: Option<String>,
        /// Talk to the colleague before handing the call over.
        #[arg(long, requires = "to")]
        attended: bool,
        /// Finish an attended transfer: the contact and the colleague talk.
        #[arg(long, conflicts_with_all = ["to", "cancel"])]
        complete: bool,
        /// Give up an attended transfer: back to the contact.
        #[arg(long, conflicts_with = "to")]
        cancel: bool,
    },
    /// Join an agent's call as their supervisor. Sipuni: `--mode listen` or `whisper`
    /// (required); UIS takes no mode and connects you as the employee's coach settings in the
    /// cabinet say. Neither PBX has a barge-in method.
    Coach {
        call_id: String,
        #[arg(long, value_enum)]
        mode: Option<CoachArg>,
        /// The number UIS rings for you (else your own, else the cabinet's coach).
        #[arg(long, value_name = "NUMBER")]
        phone: Option<String>,
    },
    /// What the call's PBX lets you do with a call.
    Actions {
        call_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Without a status: everyone's status as a table. With one: set your own (a break may
    /// take a reason from the admin's list, see `--reasons`).
    Status {
        status: Option<StatusArg>,
        /// The break's reason.
        #[arg(requires = "status")]
        reason: Option<String>,
        /// List the break reasons instead.
        #[arg(long, conflicts_with_all = ["status", "reason"])]
        reasons: bool,
        #[arg(long)]
        json: bool,
    },
    /// The team's cases («обращения»): the list from the relay, or the stored copy when it
    /// is out of reach; `claim`, `release`, `close` a case.
    Cases {
        #[command(subcommand)]
        action: Option<CasesAction>,
        /// Only cases in this status: open, waiting or closed.
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// Only the cases this agent is responsible for or calls back.
        #[arg(long)]
        mine: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write the gist of a call (a note the team sees in the call's case).
    Note {
        call_id: String,
        text: String,
        /// A tag from the admin's list; repeat for several.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// The call makes a case of its own instead of joining the client's open missed-call
        /// case.
        #[arg(long)]
        new_case: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CasesAction {
    /// «Перезваниваю»: take the case so that colleagues do not call the client too.
    Claim { id: String },
    /// Give the claim up.
    Release { id: String },
    /// Close the case by hand.
    Close {
        id: String,
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FollowupsAction {
    /// Close a caller's open follow-up by hand.
    Close { caller: String },
}

#[derive(Debug, Subcommand)]
pub enum ContactsAction {
    /// Import a CSV (header row) or vCard file.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Export every contact: vCard for .vcf files, CSV otherwise.
    Export { file: PathBuf },
    /// Who has this number (any format).
    Find {
        number: String,
        /// Say which stored value matched and how.
        #[arg(long)]
        explain: bool,
        #[arg(long)]
        json: bool,
    },
    /// Contacts whose name or company contains TEXT.
    Search { text: String },
    /// Add a contact: to the team directory when signed in to a relay, else private.
    Add {
        #[arg(long, default_value = "")]
        name: String,
        /// Repeatable.
        #[arg(long = "phone")]
        phones: Vec<String>,
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        position: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// Extra field as KEY=VALUE; repeatable.
        #[arg(long = "field", value_name = "KEY=VALUE")]
        fields: Vec<String>,
        /// The client's page in the CRM (team contacts).
        #[arg(long)]
        crm_url: Option<String>,
        /// Keep it on this desktop only, even when signed in.
        #[arg(long, conflicts_with = "team")]
        private: bool,
        /// Add it to the team directory (the default when signed in).
        #[arg(long)]
        team: bool,
    },
    /// Change a contact's fields: given ones replace, others stay. A team contact is changed
    /// on the relay.
    Edit {
        id: i64,
        #[arg(long)]
        name: Option<String>,
        /// Replaces every phone; repeatable.
        #[arg(long = "phone")]
        phones: Vec<String>,
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        position: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// Extra field as KEY=VALUE (empty VALUE removes it); repeatable.
        #[arg(long = "field", value_name = "KEY=VALUE")]
        fields: Vec<String>,
        /// The client's page in the CRM (team contacts).
        #[arg(long)]
        crm_url: Option<String>,
    },
    /// Fetch the team directory's changes from the relay now.
    Sync,
    /// Who changed a team contact and what (from the relay).
    History { id: i64 },
    /// Add a number to an existing contact.
    Attach {
        id: i64,
        phone: String,
        #[arg(long)]
        label: Option<String>,
    },
    /// Create a contact from a call's caller.
    FromCall {
        call_id: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Delete a contact (a team contact: supervisors only).
    Delete { id: i64 },
}

/// How `trubka-cli coach` joins a Sipuni call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoachArg {
    /// Hear both parties; nobody hears you.
    Listen,
    /// Also talk to the agent, whom only the agent hears.
    Whisper,
}

/// A status `trubka-cli status` sets.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusArg {
    Available,
    Break,
    Dnd,
    Offline,
}
