//! One deadline for a whole call-control action: an action can take several PBX requests
//! (`list.calls`, then for a blind transfer `hold.call`, `make.call`, `transfer.talk`), each
//! bounded by `pbx_timeout_secs` on its own, so without it an action could take several
//! times that and the agent's client would give up with no reason. The action as a whole gets
//! `pbx_timeout_secs`; when it passes, the agent hears what state the call may be in and what
//! to do about it, from the [`Stage`] the action had reached.

use std::future::Future;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use trubka_pbx::PbxError;
use trubka_protocol::control::ControlRequest;

use super::ControlError;

/// How far an action got at the PBX; only transfers move past [`Stage::Checking`], as only
/// they leave the call in between states the agent must undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Checks and lookups (`list.calls`, `get.employees`), or a single-request action asked.
    Checking,
    /// `hold.call` was sent and not yet confirmed.
    HoldAsked,
    /// The PBX accepted `hold.call`: the contact is on hold.
    Held,
    /// The PBX accepted `make.call` too: the colleague's phone rings.
    Dialled,
}

impl Stage {
    const ALL: [Stage; 4] = [
        Stage::Checking,
        Stage::HoldAsked,
        Stage::Held,
        Stage::Dialled,
    ];
}

/// The [`Stage`] an action reached, readable after its future was dropped at the deadline.
#[derive(Debug, Default)]
pub(crate) struct Progress(AtomicU8);

impl Progress {
    pub(crate) fn reached(&self, stage: Stage) {
        let index = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.0
            .store(u8::try_from(index).unwrap_or(0), Ordering::Relaxed);
    }

    pub(crate) fn stage(&self) -> Stage {
        Stage::ALL
            .get(usize::from(self.0.load(Ordering::Relaxed)))
            .copied()
            .unwrap_or(Stage::Checking)
    }
}

/// Runs `action` (which records its [`Stage`] in `progress`) within `limit`. Past it, or when
/// one of its requests timed out on its own, the answer is [`ControlError::Timeout`] worded
/// for `request` at the stage reached.
pub(crate) async fn within<T>(
    limit: Duration,
    request: &ControlRequest,
    progress: &Progress,
    action: impl Future<Output = Result<T, ControlError>>,
) -> Result<T, ControlError> {
    match tokio::time::timeout(limit, action).await {
        Ok(Err(ControlError::Pbx(PbxError::Timeout { .. }))) | Err(_) => Err(
            ControlError::Timeout(timed_out(request, progress.stage(), limit.as_secs())),
        ),
        Ok(done) => done,
    }
}

/// What the agent is told when the PBX did not confirm `request` within `seconds`.
pub(crate) fn timed_out(request: &ControlRequest, stage: Stage, seconds: u64) -> String {
    let silent = format!("АТС не ответила за {seconds} с");
    match (request, stage) {
        (ControlRequest::Transfer { .. }, Stage::Checking) => format!(
            "{silent}: перевод не начат, клиент на линии с вами. Повторите перевод через минуту"
        ),
        (ControlRequest::Transfer { .. }, Stage::HoldAsked) => format!(
            "{silent}: перевод не сделан, а клиент может быть на удержании. Если он вас не \
             слышит, нажмите «Снять с удержания», затем повторите перевод"
        ),
        (ControlRequest::Transfer { .. }, Stage::Held) => format!(
            "{silent}: перевод не сделан, клиент на удержании. Нажмите «Снять с удержания», \
             чтобы вернуться к нему, затем повторите перевод"
        ),
        (ControlRequest::Transfer { .. }, Stage::Dialled) => format!(
            "{silent}: коллеге уже звонят, клиент на удержании, но перевод не подтверждён. \
             Проверьте софтфон; чтобы вернуться к клиенту, нажмите «Вернуться»"
        ),
        (ControlRequest::Hold, _) => format!(
            "{silent} и не подтвердила удержание: клиент может быть на удержании или нет. \
             Проверьте софтфон, прежде чем повторять"
        ),
        (ControlRequest::Resume, _) => format!(
            "{silent} и не подтвердила снятие с удержания: проверьте софтфон; если клиент вас \
             не слышит, нажмите «Снять с удержания» ещё раз"
        ),
        (ControlRequest::Hangup, _) => format!(
            "{silent} и не подтвердила завершение звонка: проверьте софтфон; если разговор \
             идёт, завершите его там или повторите"
        ),
        (ControlRequest::TransferComplete, _) => format!(
            "{silent} и не подтвердила соединение клиента с коллегой: проверьте софтфон, \
             прежде чем нажимать «Соединить» ещё раз"
        ),
        (ControlRequest::TransferCancel, _) => format!(
            "{silent} и не подтвердила возврат к клиенту: проверьте софтфон, прежде чем \
             нажимать «Вернуться» ещё раз"
        ),
        (ControlRequest::Coach { .. }, _) => format!(
            "{silent} и не подтвердила подключение к звонку: проверьте, звонит ли ваш \
             телефон, прежде чем повторять"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer() -> ControlRequest {
        ControlRequest::Transfer {
            to: "Игорь".to_owned(),
            attended: false,
        }
    }

    #[test]
    fn progress_reads_back_the_last_stage() {
        let progress = Progress::default();
        assert_eq!(progress.stage(), Stage::Checking);
        for stage in Stage::ALL {
            progress.reached(stage);
            assert_eq!(progress.stage(), stage);
        }
    }

    #[test]
    fn a_transfer_stuck_after_the_hold_says_how_to_take_the_caller_back() {
        let held = timed_out(&transfer(), Stage::Held, 15);
        assert!(held.contains("15 с"), "{held}");
        assert!(held.contains("на удержании"), "{held}");
        assert!(held.contains("«Снять с удержания»"), "{held}");
        let before = timed_out(&transfer(), Stage::Checking, 15);
        assert!(!before.contains("Снять с удержания"), "{before}");
        assert!(timed_out(&transfer(), Stage::Dialled, 15).contains("«Вернуться»"));
    }

    #[test]
    fn single_actions_say_to_check_the_softphone() {
        for request in [
            ControlRequest::Hold,
            ControlRequest::Resume,
            ControlRequest::Hangup,
        ] {
            let text = timed_out(&request, Stage::Checking, 3);
            assert!(text.contains("не подтвердила"), "{text}");
            assert!(text.contains("софтфон"), "{text}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_whole_action_gets_one_limit() {
        let progress = Progress::default();
        let slow = async {
            progress.reached(Stage::Held);
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        };
        let answer = within(Duration::from_secs(15), &transfer(), &progress, slow).await;
        match answer {
            Err(ControlError::Timeout(text)) => assert!(text.contains("Снять с удержания")),
            other => panic!("expected a timeout, got {other:?}"),
        }
        // A request that timed out on its own reads the same.
        let own = async {
            Err::<(), _>(ControlError::Pbx(PbxError::Timeout {
                provider: trubka_core::Provider::Uis,
            }))
        };
        let answer = within(
            Duration::from_secs(15),
            &ControlRequest::Hold,
            &progress,
            own,
        )
        .await;
        assert!(matches!(answer, Err(ControlError::Timeout(_))));
        let quick = async { Ok(7) };
        let answer = within(
            Duration::from_secs(15),
            &ControlRequest::Hold,
            &progress,
            quick,
        )
        .await;
        assert_eq!(answer.unwrap(), 7);
    }
}
