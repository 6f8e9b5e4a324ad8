//! `AppState::apply` folding events in: unit tests.

use super::*;
use crate::error::{ErrorKind, PlatformError};
use crate::model::{Category, ChannelChanges};

const P: PlatformId = PlatformId::Trovo;

fn page(name: &str) -> CategoryPage {
    CategoryPage {
        categories: vec![Category {
            id: name.into(),
            name: name.into(),
            short_name: None,
            icon_url: None,
        }],
        has_more: false,
    }
}

fn search(id: RequestId, q: &str) -> Command {
    Command::SearchCategories {
        platform: P,
        query: q.into(),
        limit: None,
        request_id: id,
    }
}

#[test]
fn a_stale_category_answer_never_replaces_a_newer_one() {
    let mut s = AppState::default();
    s.note_sent(&search(1, "mine"));
    s.note_sent(&search(2, "minecraft"));
    s.apply(Event::CategoriesFound {
        platform: P,
        request_id: 2,
        result: Ok(page("new")),
    });
    s.apply(Event::CategoriesFound {
        platform: P,
        request_id: 1,
        result: Ok(page("old")),
    });
    let c = &s.platforms[&P].categories;
    assert_eq!(c.page.categories[0].name, "new");
    assert!(!c.loading);
}

#[test]
fn a_failed_update_keeps_the_channel_and_says_why() {
    let mut s = AppState::default();
    s.note_sent(&Command::UpdateChannel {
        platform: P,
        changes: ChannelChanges::default(),
        request_id: 7,
    });
    assert_eq!(s.platforms[&P].update_pending, Some(7));
    s.apply(Event::ChannelUpdated {
        platform: P,
        request_id: 7,
        result: Err(PlatformError::Api {
            platform: P,
            code: 11000,
            kind: ErrorKind::InvalidInput,
            sentence: "that category does not exist".into(),
        }),
    });
    let p = &s.platforms[&P];
    assert_eq!(p.update_pending, None);
    assert!(
        p.update_error
            .as_deref()
            .is_some_and(|e| e.contains("that category does not exist"))
    );
}

#[test]
fn chat_lines_go_from_sending_to_sent_or_failed() {
    let mut s = AppState::default();
    for id in [1, 2] {
        s.note_sent(&Command::SendChat {
            platform: P,
            message: format!("m{id}"),
            channel_id: None,
            request_id: id,
        });
    }
    s.apply(Event::ChatSent {
        platform: P,
        request_id: 1,
        message: "m1".into(),
        result: Ok(None),
    });
    s.apply(Event::ChatSent {
        platform: P,
        request_id: 2,
        message: "m2".into(),
        result: Err(PlatformError::Timeout {
            platform: P,
            secs: 20,
        }),
    });
    let lines = &s.platforms[&P].chat.sent;
    assert_eq!(lines[0].status, SendStatus::Sent);
    assert!(matches!(lines[1].status, SendStatus::Failed(_)));
}

#[test]
fn an_echo_before_the_send_s_answer_leaves_one_line() {
    let mut s = AppState::default();
    s.note_sent(&Command::SendChat {
        platform: P,
        message: "fast".into(),
        channel_id: None,
        request_id: 3,
    });
    s.apply(Event::AccountLoaded {
        platform: P,
        result: Ok(crate::model::Account {
            id: "me".into(),
            name: "me".into(),
            display_name: "Me".into(),
            avatar_url: None,
            partner: false,
        }),
        capabilities: crate::model::Capabilities::UNKNOWN,
    });
    let echo = crate::model::ChatEvent {
        platform: P,
        id: Some("t1".into()),
        at: time::OffsetDateTime::UNIX_EPOCH,
        user: Some(crate::model::ChatUser {
            id: Some("me".into()),
            display_name: "Me".into(),
            ..Default::default()
        }),
        kind: crate::model::EventKind::Message {
            text: "fast".into(),
            reply_to: None,
        },
    };
    s.apply(Event::ChatArrived {
        platform: P,
        events: vec![echo],
    });
    s.apply(Event::ChatSent {
        platform: P,
        request_id: 3,
        message: "fast".into(),
        result: Ok(None),
    });
    let chat = &s.platforms[&P].chat;
    assert!(chat.sent.is_empty(), "{:?}", chat.sent);
    assert_eq!(chat.lines.len(), 1);
}

#[test]
fn only_the_latest_mapping_s_answer_is_kept() {
    use crate::model::{CategoryProposal, PickedCategory};
    let mut s = AppState::default();
    let ask = |id| Command::MapCategory {
        name: "Hades II".into(),
        from: None,
        platforms: vec![PlatformId::Twitch],
        request_id: id,
    };
    let answer = |id, name: &str| Event::CategoryMapped {
        request_id: id,
        name: "Hades II".into(),
        proposals: [(
            PlatformId::Twitch,
            CategoryProposal::Remembered(PickedCategory::new("1", name)),
        )]
        .into_iter()
        .collect(),
    };
    s.note_sent(&ask(1));
    s.note_sent(&ask(2));
    assert!(s.mapping.loading);
    s.apply(answer(1, "stale"));
    assert!(s.mapping.loading, "an old answer is dropped");
    s.apply(answer(2, "fresh"));
    assert!(!s.mapping.loading);
    let c = s.mapping.proposals[&PlatformId::Twitch].category().cloned();
    assert_eq!(c.map(|c| c.name).as_deref(), Some("fresh"));
}

#[test]
fn a_set_aside_database_is_said_once() {
    let mut s = AppState::default();
    let notice = || Event::StoreNotice {
        message: "set aside".into(),
    };
    s.apply(notice());
    s.apply(notice());
    assert_eq!(s.notices, ["set aside"]);
}
