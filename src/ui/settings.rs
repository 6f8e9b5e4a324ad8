//! The Settings window: appearance, and each platform's account: who is signed in, until
//! when and with what permissions; the application to sign in with (how to register one,
//! its client ID and secret); Sign in, Cancel, Sign out. It only emits commands: the
//! sign-in itself runs in the backend.

use super::PanelCx;
use super::widgets::{ERROR, OK_GREEN};
use crate::auth::help::SecretUse;
use crate::auth::loopback_redirect_uri;
use crate::command::Command;
use crate::model::PlatformId;
use crate::secret::Secret;
use crate::state::SignInFlow;
use eframe::egui::{self, RichText, Ui};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The colour theme the user chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    Dark,
    Light,
}

impl Theme {
    /// egui's preference for this choice.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Dark => egui::ThemePreference::Dark,
            Theme::Light => egui::ThemePreference::Light,
        }
    }
}

/// Draws the Settings window while it is open.
pub fn show(ctx: &egui::Context, cx: &mut PanelCx<'_>) {
    let mut open = cx.local.settings_open;
    egui::Window::new("Settings")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_width(460.0)
        .max_height(ctx.content_rect().height() - 120.0)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
        .show(ctx, |ui| {
            ui.heading("Appearance");
            ui.horizontal(|ui| {
                ui.label("Theme");
                for (t, name) in [
                    (Theme::System, "Follow the system"),
                    (Theme::Dark, "Dark"),
                    (Theme::Light, "Light"),
                ] {
                    ui.radio_value(&mut cx.view.theme, t, name);
                }
            });
            ui.separator();
            ui.heading("Accounts");
            for notice in &cx.state.notices {
                ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
            }
            egui::ScrollArea::vertical()
                .max_height(ctx.content_rect().height() - 240.0)
                .min_scrolled_height((ctx.content_rect().height() - 240.0).max(120.0))
                .show(ui, |ui| {
                    for platform in PlatformId::ALL {
                        account(ui, cx, platform);
                        ui.add_space(4.0);
                    }
                    redirect_port(ui, cx);
                });
        });
    cx.local.settings_open = open;
}

/// What the user is typing into Settings → Accounts, for this run only. The client secret
/// stays here until the sign-in it was typed for succeeds, and is never persisted.
#[derive(Default)]
pub struct AccountForms {
    client_ids: BTreeMap<PlatformId, String>,
    secrets: BTreeMap<PlatformId, String>,
    port: String,
    /// Signed-in platforms whose form is open, to sign in with another account.
    reopened: BTreeSet<PlatformId>,
}

impl AccountForms {
    /// Forms filled with what is already known.
    pub fn new(client_ids: &BTreeMap<PlatformId, String>, port: u16) -> Self {
        AccountForms {
            client_ids: client_ids.clone(),
            port: port.to_string(),
            ..Default::default()
        }
    }

    /// The port typed, if it is one.
    fn port(&self) -> Option<u16> {
        self.port.trim().parse::<u16>().ok().filter(|p| *p != 0)
    }
}

fn account(ui: &mut Ui, cx: &mut PanelCx<'_>, platform: PlatformId) {
    ui.group(|ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(platform.display_name()).strong());
        let flow = cx.state.sign_ins.get(&platform).cloned();
        let signed_in = cx.state.platforms.get(&platform);
        if let Some(p) = signed_in {
            signed_in_summary(ui, p);
            if let Some(SignInFlow::SignedIn { note: Some(note) }) = &flow {
                ui.label(
                    RichText::new(note)
                        .small()
                        .color(ui.visuals().warn_fg_color),
                );
            }
            ui.horizontal(|ui| {
                let busy = matches!(flow, Some(SignInFlow::SigningOut));
                let sign_out = ui
                    .add_enabled(!busy, egui::Button::new("Sign out"))
                    .on_hover_text(format!(
                        "Revokes the sign-in with {platform} and deletes it from this computer"
                    ));
                // Every platform has one: a screen reader says which.
                sign_out.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::Button,
                        !busy,
                        format!("Sign out of {platform}"),
                    )
                });
                if sign_out.clicked() {
                    cx.send(Command::SignOut { platform });
                }
                let reopened = cx.local.accounts.reopened.contains(&platform);
                let another = ui.selectable_label(reopened, "Use another account…");
                another.widget_info(|| {
                    egui::WidgetInfo::selected(
                        egui::Role::Button,
                        true,
                        reopened,
                        format!("Use another {platform} account"),
                    )
                });
                if another.clicked() {
                    if reopened {
                        cx.local.accounts.reopened.remove(&platform);
                    } else {
                        cx.local.accounts.reopened.insert(platform);
                    }
                }
            });
            if !cx.local.accounts.reopened.contains(&platform) {
                return;
            }
            ui.separator();
        } else {
            match &flow {
                Some(SignInFlow::SignedOut { note }) => {
                    ui.label(RichText::new("Signed out.").color(OK_GREEN));
                    if let Some(note) = note {
                        ui.label(
                            RichText::new(note)
                                .small()
                                .color(ui.visuals().warn_fg_color),
                        );
                    }
                }
                Some(SignInFlow::SigningOut) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Signing out…");
                    });
                }
                _ => {
                    ui.label("Not signed in.");
                }
            }
        }
        sign_in_form(ui, cx, platform, flow.as_ref());
    });
}

/// Who is signed in, until when, and with how many permissions (listed on hover).
fn signed_in_summary(ui: &mut Ui, p: &crate::state::PlatformState) {
    match &p.account {
        Some(a) => {
            ui.label(format!("Signed in as {} ({})", a.display_name, a.name));
        }
        None => {
            ui.label("Signed in; waiting for the account to answer.");
        }
    }
    if let Some(status) = &p.sign_in {
        let until = status.expires_at.map_or_else(
            || "no expiry given".to_owned(),
            |t| {
                let t = t.to_offset(time::UtcOffset::UTC);
                format!(
                    "valid until {} {:02}:{:02} UTC",
                    super::widgets::date(t),
                    t.hour(),
                    t.minute()
                )
            },
        );
        ui.label(
            RichText::new(format!("{until} · {} permissions", status.scopes.len()))
                .small()
                .weak(),
        )
        .on_hover_text(status.scopes.join("\n"));
    }
}

/// The application to sign in with, and the Sign in / Cancel buttons.
fn sign_in_form(
    ui: &mut Ui,
    cx: &mut PanelCx<'_>,
    platform: PlatformId,
    flow: Option<&SignInFlow>,
) {
    let help = platform.entry().registration_help();
    let port = cx.local.accounts.port();
    let redirect = port.map_or_else(
        || "http://localhost:PORT/".to_owned(),
        loopback_redirect_uri,
    );
    for (n, step) in help.steps.iter().enumerate() {
        ui.label(RichText::new(format!(
            "{}. {}",
            n + 1,
            step.replace("{redirect}", &redirect)
        )));
    }
    ui.hyperlink_to(
        format!("Open the {platform} developer portal"),
        help.console_url,
    );
    let forms = &mut cx.local.accounts;
    egui::Grid::new(("sign_in_form", platform))
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            ui.label("Client ID");
            let id = forms.client_ids.entry(platform).or_default();
            // Named with the platform, so a screen reader tells the fields apart.
            ui.add(
                egui::TextEdit::singleline(id)
                    .desired_width(260.0)
                    .hint_text("from the developer portal"),
            )
            .widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::TextInput,
                    true,
                    format!("{platform} client ID"),
                )
            });
            ui.end_row();
            if help.secret == SecretUse::Optional {
                ui.label("Client secret");
                let secret = forms.secrets.entry(platform).or_default();
                let field = ui
                    .add(
                        egui::TextEdit::singleline(secret)
                            .password(true)
                            .desired_width(260.0)
                            .hint_text("optional"),
                    )
                    .on_hover_text(help.secret_hint);
                field.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::PasswordInput,
                        true,
                        format!("{platform} client secret"),
                    )
                });
                ui.end_row();
            }
        });
    let client_id = forms
        .client_ids
        .get(&platform)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    match flow {
        Some(SignInFlow::Waiting { url, user_code }) => {
            if let Some(code) = user_code {
                ui.label("Confirm this code on the page that opened:");
                let code_label = ui.label(RichText::new(code).monospace().size(22.0).strong());
                code_label.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::Label,
                        true,
                        format!("Sign-in code {code}"),
                    )
                });
            }
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(if user_code.is_some() {
                    "Waiting for you to confirm the code…"
                } else {
                    "Waiting for you to approve in the browser (up to 5 minutes)…"
                });
            });
            ui.horizontal(|ui| {
                if ui.button("Cancel").clicked() {
                    cx.send(Command::CancelSignIn { platform });
                }
                if let Some(url) = url {
                    if ui
                        .button("Copy the sign-in address")
                        .on_hover_text("For a browser that did not open by itself")
                        .clicked()
                    {
                        ui.ctx().copy_text(url.clone());
                    }
                    ui.hyperlink_to("Open it again", url);
                }
            });
            return;
        }
        Some(SignInFlow::Failed(why)) => {
            ui.label(RichText::new(why).color(ERROR));
        }
        Some(SignInFlow::SignedIn { .. }) => {
            // The secret did its job; it is on the credential store now, not in this form.
            cx.local.accounts.secrets.remove(&platform);
            cx.local.accounts.reopened.remove(&platform);
        }
        _ => {}
    }
    // A device sign-in has no redirect, so the port does not matter to it.
    let port = port.or((!help.uses_redirect).then_some(crate::auth::DEFAULT_PORT));
    let ready = !client_id.is_empty() && port.is_some();
    let button = ui
        .add_enabled(
            ready,
            egui::Button::new(format!("Sign in to {platform} with the browser")),
        )
        .on_disabled_hover_text(if port.is_none() {
            "Enter a valid redirect port below first"
        } else {
            "Enter the client ID of your application first"
        });
    if button.clicked()
        && let Some(port) = port
    {
        let secret = cx
            .local
            .accounts
            .secrets
            .get(&platform)
            .filter(|s| !s.trim().is_empty())
            .map(|s| Secret::new(s.trim()));
        cx.send(Command::SignIn {
            platform,
            client_id,
            client_secret: secret,
            port,
        });
    }
}

/// The loopback port every sign-in redirect comes back to.
fn redirect_port(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    ui.horizontal(|ui| {
        let label = ui.label("Sign-in redirect port");
        ui.add(egui::TextEdit::singleline(&mut cx.local.accounts.port).desired_width(60.0))
            .labelled_by(label.id)
            .on_hover_text("The port of the redirect URL registered with each platform");
    });
    match cx.local.accounts.port() {
        Some(p) => {
            ui.label(
                RichText::new(format!(
                    "Register {} as the redirect URL; it must match exactly.",
                    loopback_redirect_uri(p)
                ))
                .small()
                .weak(),
            );
        }
        None => {
            ui.label(RichText::new("The port must be a number from 1 to 65535.").color(ERROR));
        }
    }
}
