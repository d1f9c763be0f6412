//! `motcua sim`: the built-in simulators of the systems motcua talks to, as a process, so a demo
//! or an end-to-end test can point `motcua serve` at them.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;
use motcua_integrations::sim::{self, FaultConfig, Service, SimConfig};

/// The demo secret: fine on a laptop, never for anything that moves money.
const DEMO_SECRET: &str = "motcua-sim-demo-secret";

#[derive(Args)]
pub struct SimArgs {
    /// Address of the HTTP simulators (registry, gateway, bank, SMS, mail list, faults).
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// Address of the SMTP sink.
    #[arg(long, default_value = "127.0.0.1:2525")]
    smtp: SocketAddr,
    /// Seed of the made-up people, the ids and the fault draws: the same seed replays a run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where the bank sends transfer callbacks (motcua's payment callback URL).
    #[arg(long, env = "MOTCUA_SIM_CALLBACK_URL")]
    callback_url: Option<String>,
    /// The merchant id the gateway accepts and puts in callbacks.
    #[arg(long, env = "MOTCUA_SIM_MERCHANT_ID", default_value = "MOTCUA-DEMO")]
    merchant_id: String,
    /// The shared secret that signs callbacks and merchant requests.
    #[arg(long, env = "MOTCUA_SIM_SECRET", hide_env_values = true, default_value = DEMO_SECRET)]
    secret: String,
    /// How browsers reach the HTTP listener, when not at http://LISTEN (e.g. behind a proxy).
    #[arg(long)]
    public_url: Option<String>,
    /// Made-up people in the registry besides the three demo citizens.
    #[arg(long, default_value_t = 200)]
    people: usize,
    /// Share of registry look-ups answered 503 (0 to 1).
    #[arg(long, value_parser = rate)]
    registry_error_rate: Option<f64>,
    /// Share of registry look-ups that hang past any client timeout (0 to 1).
    #[arg(long, value_parser = rate)]
    registry_timeout_rate: Option<f64>,
    /// Share of gateway callbacks sent twice (0 to 1).
    #[arg(long, value_parser = rate)]
    gateway_duplicate_rate: Option<f64>,
    /// Share of gateway callbacks held back and sent late (0 to 1).
    #[arg(long, value_parser = rate)]
    gateway_drop_rate: Option<f64>,
    /// Any other fault at start, as SERVICE.FIELD=VALUE (e.g. sms.latency_ms=800,
    /// bank.drop_rate=0.5); repeatable. Services: registry, gateway, bank, sms, mail, portal.
    #[arg(long = "fault", value_name = "SERVICE.FIELD=VALUE")]
    faults: Vec<String>,
}

fn rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("{s}: cần một tỉ lệ từ 0 đến 1, ví dụ 0.1")),
    }
}

impl SimArgs {
    fn config(&self) -> anyhow::Result<SimConfig> {
        let mut config = SimConfig {
            seed: self.seed,
            callback_url: self.callback_url.clone(),
            merchant_id: self.merchant_id.clone(),
            secret: self.secret.clone(),
            public_url: self.public_url.clone(),
            generated_people: self.people,
            ..SimConfig::default()
        };
        let mut set = |service: Service, field: &str, value: serde_json::Value| {
            set_fault(&mut config.faults, service, field, value)
        };
        let flags = [
            (Service::Registry, "error_rate", self.registry_error_rate),
            (
                Service::Registry,
                "timeout_rate",
                self.registry_timeout_rate,
            ),
            (
                Service::Gateway,
                "duplicate_rate",
                self.gateway_duplicate_rate,
            ),
            (Service::Gateway, "drop_rate", self.gateway_drop_rate),
        ];
        for (service, field, value) in flags {
            if let Some(v) = value {
                set(service, field, v.into())?;
            }
        }
        for spec in &self.faults {
            let (target, value) = spec
                .split_once('=')
                .with_context(|| format!("--fault {spec}: cần dạng SERVICE.FIELD=VALUE"))?;
            let (service, field) = target
                .split_once('.')
                .with_context(|| format!("--fault {spec}: cần dạng SERVICE.FIELD=VALUE"))?;
            let service = Service::parse(service)
                .with_context(|| format!("--fault {spec}: không có dịch vụ {service}"))?;
            let value: serde_json::Value = value
                .parse()
                .with_context(|| format!("--fault {spec}: giá trị phải là số"))?;
            set(service, field, value).with_context(|| format!("--fault {spec}"))?;
        }
        Ok(config)
    }
}

/// Sets one field of a service's faults; unknown fields and wrong types are refused.
fn set_fault(
    faults: &mut std::collections::BTreeMap<Service, FaultConfig>,
    service: Service,
    field: &str,
    value: serde_json::Value,
) -> anyhow::Result<()> {
    let current = faults.get(&service).copied().unwrap_or_default();
    let mut json = serde_json::to_value(current)?;
    json[field] = value;
    let updated: FaultConfig = serde_json::from_value(json)
        .with_context(|| format!("không đặt được {}.{field}", service.as_str()))?;
    faults.insert(service, updated);
    Ok(())
}

pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let config = args.config()?;
    let http = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let smtp = tokio::net::TcpListener::bind(args.smtp)
        .await
        .with_context(|| format!("listening on {} (SMTP)", args.smtp))?;
    let handle = sim::spawn(config, http, smtp)
        .await
        .context("starting the simulators")?;
    println!("Máy giả lập motcua đang chạy:");
    println!(
        "  HTTP  {}  (kiểm tra: {}/sim/healthz)",
        handle.base_url(),
        handle.base_url()
    );
    println!("  SMTP  {}", handle.smtp_addr);
    println!(
        "  CSDL dân cư       {}/registry/people/{{số định danh}}",
        handle.base_url()
    );
    println!("  Cổng thanh toán   {}/gateway/payments", handle.base_url());
    println!("  Chuyển khoản QR   {}/bank/transfer", handle.base_url());
    println!("  SMS               {}/sms/send", handle.base_url());
    println!("  Thư đã nhận       {}/mail/messages", handle.base_url());
    if args.secret == DEMO_SECRET {
        println!("Khóa ký: khóa demo mặc định (đặt MOTCUA_SIM_SECRET để dùng khóa khác).");
    }
    if args.callback_url.is_none() {
        println!("Chưa có --callback-url: chuyển khoản VietQR sẽ không gửi thông báo.");
    }
    crate::shutdown_signal().await;
    handle.shutdown().await;
    Ok(())
}

/// `demo`: the simulators on free local ports, with motcua's integrations pointed at them
/// (those the operator did not name). The bank notifies `public_url`'s callback.
pub async fn start_for_demo(
    integrations: &mut motcua_app::Integrations,
    mail_from: &str,
) -> anyhow::Result<sim::SimHandle> {
    let public = integrations.public_url.clone().unwrap_or_default();
    let config = SimConfig {
        callback_url: Some(format!("{public}/api/v1/payments/callback")),
        ..SimConfig::default()
    };
    let secret = config.secret.clone();
    let merchant = config.merchant_id.clone();
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let smtp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let handle = sim::spawn(config, http, smtp)
        .await
        .context("starting the simulators")?;
    let base = handle.base_url();
    integrations
        .registry_url
        .get_or_insert_with(|| base.clone());
    if integrations.gateway_url.is_none() {
        integrations.gateway_url = Some(base.clone());
        integrations.merchant_id = Some(merchant);
        integrations.payment_secret = Some(secret);
    }
    integrations.sms_url.get_or_insert_with(|| base.clone());
    integrations.portal_url.get_or_insert_with(|| base.clone());
    if integrations.mail.is_none() {
        integrations.mail = Some(crate::mail_config(
            &handle.smtp_addr.to_string(),
            mail_from,
        )?);
    }
    println!("Máy giả lập (CSDL dân cư, cổng thanh toán, ngân hàng, SMS, thư): {base}");
    println!("  Thư và SMS đã gửi: {base}/mail/messages · {base}/sms/messages");
    println!("  Chuyển khoản thử mã VietQR: POST {base}/bank/transfer {{\"payload\": \"…\"}}");
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    fn parse(args: &[&str]) -> anyhow::Result<SimConfig> {
        let mut argv = vec!["motcua"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv)?.sim.config()
    }

    #[test]
    fn fault_flags() {
        let config = parse(&[
            "--registry-error-rate",
            "0.25",
            "--fault",
            "sms.latency_ms=800",
            "--fault",
            "registry.timeout_rate=0.5",
        ])
        .unwrap();
        let registry = config.faults[&Service::Registry];
        assert_eq!(registry.error_rate, 0.25);
        assert_eq!(registry.timeout_rate, 0.5);
        assert_eq!(config.faults[&Service::Sms].latency_ms, 800);
        assert!(parse(&["--registry-error-rate", "2"]).is_err());
        assert!(parse(&["--fault", "sms.latency=800"]).is_err());
        assert!(parse(&["--fault", "weather.error_rate=1"]).is_err());
        assert!(parse(&["--fault", "sms.error_rate"]).is_err());
    }
}
