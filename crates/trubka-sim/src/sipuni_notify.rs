//! Sipuni «События на АТС»: the events a call produces (reference B.4).
//!
//! Event 1 when a leg starts to ring (the first one may arrive twice, the copy with
//! `timestamp` one second later), event 3 when it is answered, event 4 when an intermediate
//! conversation ends in a transfer, event 2 when the call ends (`status` ANSWER, NOANSWER,
//! BUSY or CANCEL, with `call_record_link`), and sometimes no event 2 at all. Internal
//! parties are written cabinet + extension (`064629201`, `short_src_num=201`), external
//! numbers without `+`, and for an incoming call event 2's `dst_num` is the called line with
//! the line's id suffix (`74992136070_id265648`). Events are form-encoded POSTs, or GET query
//! strings for calls that use [`HookMethod::Get`].

use crate::{
    account,
    scenario::{CallPlan, Direction, HookMethod, Leg, Moment, NotificationKind, Outcome, Routing},
    sender::{Hook, Outgoing, Payload},
};

/// Cabinet-level facts the events need.
#[derive(Debug, Clone)]
pub struct SipuniContext {
    /// Cabinet number (`user_id`).
    pub user: String,
    /// The called line's id in the cabinet (`_id…` suffix of `dst_num`).
    pub line_id: u64,
    /// `call_record_link` of this call.
    pub record_link: String,
}

/// The scheme a call went through (`treeNumber`, `treeName`): the one a callback order asked
/// for, else the cabinet's scheme for the call's direction.
pub fn tree(plan: &CallPlan) -> (String, String) {
    match &plan.origin.routing {
        Some(Routing::Sipuni { number, name }) => (number.clone(), name.clone()),
        _ => {
            let tree = account::sipuni_default_tree(plan.direction);
            (tree.number.to_owned(), tree.name.to_owned())
        }
    }
}

/// Event 2's `status` for an outcome.
pub fn hangup_status(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Answered => "ANSWER",
        Outcome::Missed => "NOANSWER",
        Outcome::Busy => "BUSY",
        Outcome::Cancelled => "CANCEL",
    }
}

type Fields = Vec<(&'static str, String)>;

struct Builder<'a> {
    plan: &'a CallPlan,
    ctx: &'a SipuniContext,
    call_id: String,
    channel_base: u32,
}

impl Builder<'_> {
    fn timestamp(&self, at_ms: u64) -> String {
        self.plan.at(at_ms).timestamp().to_string()
    }

    fn internal(&self, extension: &str) -> String {
        format!("{}{extension}", self.ctx.user)
    }

    /// The Asterisk channel of the trunk (`line = None`) or of an employee's leg.
    fn channel(&self, leg: Option<usize>) -> String {
        let peer = match leg {
            Some(i) => self.internal(&self.plan.legs[i].employee.extension),
            None => self.internal(&self.plan.line),
        };
        let n = self
            .channel_base
            .wrapping_add(leg.map_or(0, |i| i as u32 + 1));
        format!("SIP/{peer}-{n:08x}")
    }

    /// `src_*` and `dst_*` of a leg: the contact and the employee, in call direction.
    fn parties(&self, leg: &Leg, fields: &mut Fields) {
        let plan = self.plan;
        let (contact_type, contact_num, contact_short) = match &plan.contact.internal {
            Some(e) => ("2", self.internal(&e.extension), e.extension.clone()),
            None => (
                "1",
                plan.contact.sipuni.clone(),
                plan.contact.sipuni.clone(),
            ),
        };
        let employee_num = self.internal(&leg.employee.extension);
        let employee_short = leg.employee.extension.clone();
        let ((st, sn, ss), (dt, dn, ds)) = match plan.direction {
            Direction::In => (
                (contact_type, contact_num, contact_short),
                ("2", employee_num, employee_short),
            ),
            Direction::Out => (
                ("2", employee_num, employee_short),
                (contact_type, contact_num, contact_short),
            ),
        };
        fields.extend([
            ("src_type", st.to_owned()),
            ("src_num", sn),
            ("short_src_num", ss),
            ("dst_type", dt.to_owned()),
            ("dst_num", dn),
            ("short_dst_num", ds),
        ]);
        fields.push(("pbxdstnum", self.pbxdstnum()));
    }

    fn pbxdstnum(&self) -> String {
        match self.plan.direction {
            Direction::In => self.plan.line.clone(),
            Direction::Out => match &self.plan.contact.uis {
                Some(digits) if self.plan.contact.internal.is_none() => format!("+{digits}"),
                _ => self.plan.contact.sipuni.clone(),
            },
        }
    }

    fn tree(&self, fields: &mut Fields) {
        let (number, name) = tree(self.plan);
        fields.push(("treeName", name));
        fields.push(("treeNumber", number));
    }

    fn head(&self, event: &str, at_ms: u64) -> Fields {
        vec![
            ("event", event.to_owned()),
            ("call_id", self.call_id.clone()),
            ("timestamp", self.timestamp(at_ms)),
        ]
    }

    fn call(&self, i: usize, at_ms: u64) -> Fields {
        let leg = &self.plan.legs[i];
        let mut f = self.head("1", at_ms);
        self.parties(leg, &mut f);
        self.tree(&mut f);
        f.push(("channel", self.channel(None)));
        f.push(("user_id", self.ctx.user.clone()));
        f.push((
            "is_inner_call",
            u8::from(self.plan.contact.internal.is_some()).to_string(),
        ));
        if let Some(from) = leg.transferred_from {
            f.push((
                "transfer_from",
                self.plan.legs[from].employee.extension.clone(),
            ));
        }
        f
    }

    fn answer(&self, i: usize, at_ms: u64) -> Fields {
        let mut f = self.head("3", at_ms);
        if !self.plan.delivery.sparse_answer {
            self.parties(&self.plan.legs[i], &mut f);
            self.tree(&mut f);
            f.push(("user_id", self.ctx.user.clone()));
        }
        f.push(("channel", self.channel(Some(i))));
        f
    }

    fn secondary_hangup(&self, i: usize, at_ms: u64) -> Fields {
        let leg = &self.plan.legs[i];
        let mut f = self.head("4", at_ms);
        self.parties(leg, &mut f);
        self.tree(&mut f);
        f.extend([
            ("status", "ANSWER".to_owned()),
            ("call_start_timestamp", self.timestamp(0)),
            (
                "call_answer_timestamp",
                leg.answer_ms
                    .map_or("0".to_owned(), |ms| self.timestamp(ms)),
            ),
            ("last_called", leg.employee.extension.clone()),
            ("call_record_link", self.ctx.record_link.clone()),
            ("channel", self.channel(Some(i))),
            ("user_id", self.ctx.user.clone()),
        ]);
        f
    }

    fn hangup(&self, at_ms: u64) -> Fields {
        let plan = self.plan;
        let mut f = self.head("2", at_ms);
        let Some(last) = plan.final_leg() else {
            return f;
        };
        let leg = &plan.legs[last];
        self.parties(leg, &mut f);
        if plan.direction == Direction::In {
            // The end of an incoming call names the called line, with its id.
            let line = format!("{}_id{}", plan.line, self.ctx.line_id);
            for (key, value) in f.iter_mut() {
                match *key {
                    "dst_type" => *value = "1".to_owned(),
                    "dst_num" | "short_dst_num" => value.clone_from(&line),
                    _ => {}
                }
            }
        }
        self.tree(&mut f);
        let status = hangup_status(plan.outcome);
        let answered_at = plan
            .first_answered()
            .and_then(|i| plan.legs[i].answer_ms)
            .map_or("0".to_owned(), |ms| self.timestamp(ms));
        let last_called = match plan.direction {
            Direction::In => leg.employee.extension.clone(),
            Direction::Out => plan.contact.sipuni.clone(),
        };
        f.extend([
            ("status", status.to_owned()),
            ("call_start_timestamp", self.timestamp(0)),
            ("call_answer_timestamp", answered_at),
            ("last_called", last_called),
            ("call_record_link", self.ctx.record_link.clone()),
            ("channel", self.channel(None)),
            ("user_id", self.ctx.user.clone()),
        ]);
        f
    }
}

/// Every event the call produces, in order, with its offset on the call's timeline.
pub fn notifications(plan: &CallPlan, ctx: &SipuniContext) -> Vec<Outgoing> {
    let crate::scenario::PbxCallId::Sipuni(call_id) = &plan.pbx_id else {
        return Vec::new();
    };
    let channel_base = call_id
        .rsplit('.')
        .next()
        .and_then(|seq| seq.parse::<u32>().ok())
        .map_or(0x0004_71d3, |seq| 0x0004_0000 + seq * 4);
    let b = Builder {
        plan,
        ctx,
        call_id: call_id.clone(),
        channel_base,
    };
    let last_talk = plan.last_answered();
    use NotificationKind::{Answered, Ended, LegEnded, Ringing};
    let mut events: Vec<(u64, &'static str, NotificationKind, Fields)> = Vec::new();
    let mut first_ring = true;
    for &(at_ms, moment) in &plan.moments {
        match moment {
            Moment::Ringing(i) => {
                events.push((at_ms, "event 1", Ringing, b.call(i, at_ms)));
                if first_ring && plan.delivery.duplicate_event1 {
                    let repeat = b.call(i, at_ms + 1000);
                    events.push((at_ms + 1000, "event 1 (repeat)", Ringing, repeat));
                }
                first_ring = false;
            }
            Moment::Answered(i) => {
                events.push((at_ms, "event 3", Answered, b.answer(i, at_ms)));
            }
            Moment::TalkEnded(i) if Some(i) != last_talk => {
                let fields = b.secondary_hangup(i, at_ms);
                events.push((at_ms, "event 4", LegEnded, fields));
            }
            Moment::Ended if !plan.delivery.missing_hangup => {
                events.push((at_ms, "event 2", Ended, b.hangup(at_ms)));
            }
            Moment::Started | Moment::TalkEnded(_) | Moment::Ended | Moment::Recorded(_) => {}
        }
    }
    events.sort_by_key(|(at, _, _, _)| *at);
    events
        .into_iter()
        .map(|(at_ms, what, kind, fields)| {
            let pairs: Vec<(String, String)> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let payload = match plan.delivery.method {
                HookMethod::Post => Payload::Form(pairs),
                HookMethod::Get => {
                    Payload::Query(serde_urlencoded::to_string(&pairs).unwrap_or_default())
                }
            };
            Outgoing {
                at_ms,
                hook: Hook::Sipuni,
                payload,
                what: what.to_owned(),
                kind,
            }
        })
        .collect()
}
