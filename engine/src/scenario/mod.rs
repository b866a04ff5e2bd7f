//! Scenarios: the versioned document a share link carries, and the link format.
//!
//! A [`Scenario`] is everything needed to replay a run: the cluster (services, instances,
//! strategies, traffic, registry, health-check, breaker, rate-limit, retry and alert settings,
//! the fault timeline), the seed, the duration and view settings. It is JSON (serde), and
//! [`Scenario::from_json`] is the only place scenario input is checked: it rejects unknown
//! versions and out-of-range values with a named [`ScenarioError`] before anything runs.
//!
//! A share link is `<page>#s=<code>` where `<code>` is the compact JSON, DEFLATE-compressed
//! (`miniz_oxide`, level 9) and base64url-encoded without padding. Decoding is bounded at every
//! step ([`MAX_LINK_CHARS`] characters in, [`MAX_SCENARIO_BYTES`] bytes out), so no link can hang
//! or exhaust the tab.

use crate::common::ConfigError;
use crate::decimal::Dec;
use crate::scenario::config::ClusterConfig;
use crate::scenario::presets::Preset;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod config;
pub mod draft;
pub mod lesson;
pub mod lessons;
pub mod presets;

/// The scenario format version this build reads and writes.
pub const SCENARIO_VERSION: u32 = 1;
/// Longest link (or code) accepted, characters.
pub const MAX_LINK_CHARS: usize = 16_384;
/// Largest decompressed scenario accepted, bytes.
pub const MAX_SCENARIO_BYTES: usize = 256 * 1024;
/// Longest run a scenario may ask for, simulated seconds (one day).
pub const MAX_DURATION_S: u32 = 86_400;
/// Longest title, lesson or watch text, characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// The fragment key of a share link: `#s=<code>`.
pub const FRAGMENT_KEY: &str = "s=";

/// Speeds the page offers, simulated seconds per wall-clock second.
pub const SPEEDS: [f64; 4] = [0.25, 1.0, 10.0, 100.0];

/// How the page shows the run (not part of the simulation: it does not change the digest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewSettings {
    /// Playback speed, one of [`SPEEDS`].
    pub speed: f64,
}

impl Default for ViewSettings {
    fn default() -> Self {
        Self { speed: 10.0 }
    }
}

/// A replayable run: cluster, seed, duration, view settings. See the module docs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version ([`SCENARIO_VERSION`]).
    pub version: u32,
    /// The preset it started from, if any (`None`: built from scratch).
    #[serde(default)]
    pub preset: Option<String>,
    /// Title shown on the page.
    pub title: String,
    /// What it teaches.
    #[serde(default)]
    pub teaches: String,
    /// What to watch or try.
    #[serde(default)]
    pub watch: String,
    /// The run's seed.
    pub seed: u64,
    /// How long `ha-sim run` simulates by default, simulated seconds (the page runs on).
    pub duration_s: u32,
    /// The cluster and its fault timeline.
    pub cluster: ClusterConfig,
    /// View settings.
    #[serde(default)]
    pub view: ViewSettings,
    /// A guided lesson over this run, if any ([`lesson`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<lesson::Lesson>,
}

/// Why a scenario, code or link was refused. Each names the problem for people.
#[derive(Clone, Debug, PartialEq)]
pub enum ScenarioError {
    /// Nothing to read.
    Empty,
    /// A link without a `#s=` fragment.
    NoScenarioInLink,
    /// Longer than [`MAX_LINK_CHARS`]: (length).
    TooLong(usize),
    /// Not base64url (a truncated or mangled link): (position of the first bad character).
    NotBase64(Option<usize>),
    /// Not DEFLATE data.
    NotCompressed,
    /// The code ends too early: the link was cut (its last characters are missing).
    Truncated,
    /// Decompresses past [`MAX_SCENARIO_BYTES`].
    TooLarge,
    /// Not UTF-8 text.
    NotText,
    /// Not JSON, or not a scenario: (line, column, what serde said).
    NotJson(usize, usize, String),
    /// No `version` field.
    NoVersion,
    /// Written by a newer or unknown format version: (found).
    UnsupportedVersion(u64),
    /// A field outside its limits: (field, why).
    Field(&'static str, String),
    /// The cluster is invalid.
    Config(ConfigError),
    /// The lesson is invalid.
    Lesson(lesson::LessonError),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Empty => write!(f, "the scenario is empty"),
            ScenarioError::NoScenarioInLink => {
                write!(f, "the link has no scenario in it (no #s= part)")
            }
            ScenarioError::TooLong(n) => write!(
                f,
                "the link is {n} characters long; at most {MAX_LINK_CHARS} are accepted"
            ),
            ScenarioError::NotBase64(Some(i)) => write!(
                f,
                "the link is damaged: character {} is not part of a scenario code (was it cut or changed?)",
                i + 1
            ),
            ScenarioError::NotBase64(None) => {
                write!(f, "the link is damaged: its scenario code has the wrong length (was it cut?)")
            }
            ScenarioError::NotCompressed => write!(
                f,
                "the link is damaged: its scenario code does not decompress (was it changed?)"
            ),
            ScenarioError::Truncated => write!(
                f,
                "the link is cut short: its scenario code ends too early (copy the whole link)"
            ),
            ScenarioError::TooLarge => write!(
                f,
                "the scenario in the link is larger than {} KiB",
                MAX_SCENARIO_BYTES / 1024
            ),
            ScenarioError::NotText => write!(f, "the scenario is not UTF-8 text"),
            ScenarioError::NotJson(line, col, msg) => {
                write!(f, "the scenario is not valid (line {line}, column {col}): {msg}")
            }
            ScenarioError::NoVersion => write!(f, "the scenario has no version field"),
            ScenarioError::UnsupportedVersion(v) if *v > u64::from(SCENARIO_VERSION) => write!(
                f,
                "the scenario is format version {v}; this HA Lab reads version {SCENARIO_VERSION} (is the link from a newer HA Lab?)"
            ),
            ScenarioError::UnsupportedVersion(v) => write!(
                f,
                "the scenario says format version {v}, which no HA Lab wrote (versions start at 1; this one reads {SCENARIO_VERSION})"
            ),
            ScenarioError::Field(field, why) => write!(f, "{field}: {why}"),
            ScenarioError::Config(e) => write!(f, "the cluster is invalid: {e}"),
            ScenarioError::Lesson(e) => write!(f, "the lesson is invalid: {e}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<ConfigError> for ScenarioError {
    fn from(e: ConfigError) -> Self {
        ScenarioError::Config(e)
    }
}

impl Scenario {
    /// The scenario of preset `p` with `seed`.
    pub fn from_preset(p: &Preset, seed: u64) -> Scenario {
        Scenario {
            version: SCENARIO_VERSION,
            preset: Some(p.name.to_string()),
            title: p.title.to_string(),
            teaches: p.teaches.to_string(),
            watch: p.watch.to_string(),
            seed,
            duration_s: p.duration_s,
            cluster: p.config.clone(),
            view: ViewSettings::default(),
            lesson: None,
        }
    }

    /// The default preset's scenario with its default seed, read from its data file
    /// ([`crate::scenario::presets::DEFAULT_JSON`], which a test keeps equal to the preset), so
    /// the page carries no preset's code.
    pub fn default_scenario() -> Scenario {
        Scenario::from_json(crate::scenario::presets::DEFAULT_JSON)
            .expect("the default preset's file is a valid scenario (tests/presets.rs)")
    }

    /// Checks every limit.
    ///
    /// Errors: the first problem, named.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != SCENARIO_VERSION {
            return Err(ScenarioError::UnsupportedVersion(self.version as u64));
        }
        for (field, text) in [
            ("title", &self.title),
            ("teaches", &self.teaches),
            ("watch", &self.watch),
        ] {
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(ScenarioError::Field(
                    field,
                    format!("longer than {MAX_TEXT_CHARS} characters"),
                ));
            }
        }
        if self.title.trim().is_empty() {
            return Err(ScenarioError::Field("title", "must not be empty".into()));
        }
        if let Some(p) = &self.preset {
            if p.len() > crate::common::MAX_NAME_LEN {
                return Err(ScenarioError::Field("preset", "name too long".into()));
            }
        }
        if self.duration_s == 0 || self.duration_s > MAX_DURATION_S {
            return Err(ScenarioError::Field(
                "duration_s",
                format!(
                    "is {}; it must be between 1 and {MAX_DURATION_S}",
                    self.duration_s
                ),
            ));
        }
        if !SPEEDS.contains(&self.view.speed) {
            return Err(ScenarioError::Field(
                "view.speed",
                format!(
                    "is {}; it must be one of 0.25, 1, 10, 100",
                    Dec(self.view.speed)
                ),
            ));
        }
        self.cluster.validate()?;
        if let Some(l) = &self.lesson {
            l.validate(&self.cluster, self.duration_s)
                .map_err(ScenarioError::Lesson)?;
        }
        Ok(())
    }

    /// Pretty JSON, for files and `ha-sim scenario`.
    pub fn to_json(&self) -> String {
        String::from_utf8(self.json_bytes(true)).expect("serde_json writes UTF-8")
    }

    /// JSON bytes, pretty (files) or compact (links). One serializer type for both, so the
    /// scenario's serialisation code is in the wasm once, not once per formatter (2.7 KB gzipped
    /// less, measured).
    fn json_bytes(&self, pretty: bool) -> Vec<u8> {
        json_of(self, pretty)
    }

    /// Parses and validates JSON.
    ///
    /// Errors: [`ScenarioError::NotJson`] with line and column, [`ScenarioError::NoVersion`],
    /// [`ScenarioError::UnsupportedVersion`] (checked before the rest, so a newer format is
    /// named as such), or a validation error.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.trim().is_empty() {
            return Err(ScenarioError::Empty);
        }
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::TooLarge);
        }
        // The version first, so a newer format is named as such rather than as a bad field.
        // Read into a two-field struct, not a `serde_json::Value` (whose parser would be one
        // more copy of JSON reading in the wasm).
        #[derive(Deserialize)]
        struct Head {
            #[serde(default)]
            version: Option<u64>,
        }
        let head: Head = serde_json::from_str(text).map_err(json_error)?;
        let version = head.version.ok_or(ScenarioError::NoVersion)?;
        if version != SCENARIO_VERSION as u64 {
            return Err(ScenarioError::UnsupportedVersion(version));
        }
        // Typed straight from the text, not from `value`: `from_value` errors have no position
        // (they said "line 0, column 0"); `from_str` errors keep their line and column.
        let s: Scenario = serde_json::from_str(text).map_err(json_error)?;
        s.validate()?;
        Ok(s)
    }

    /// The compact code for a link: base64url(DEFLATE(JSON)), compressed here by
    /// `miniz_oxide` at level 9. The page compresses [`Scenario::link_json`] with the
    /// browser's own DEFLATE instead (its wasm then holds no compressor) and makes the link
    /// with [`Scenario::link_from_packed`]; [`Scenario::decode`] reads both.
    pub fn encode(&self) -> String {
        let packed = miniz_oxide::deflate::compress_to_vec(&self.link_json(), 9);
        URL_SAFE_NO_PAD.encode(packed)
    }

    /// What a link carries before compression: the scenario as compact JSON, UTF-8 bytes.
    pub fn link_json(&self) -> Vec<u8> {
        self.json_bytes(false)
    }

    /// A share link, `base` (any fragment dropped) + `#s=` + base64url of `packed`: raw
    /// DEFLATE (RFC 1951) of [`Scenario::link_json`], from any compressor (the page's is the
    /// browser's `CompressionStream("deflate-raw")`).
    pub fn link_from_packed(base: &str, packed: &[u8]) -> String {
        let base = base.split('#').next().unwrap_or("");
        format!("{base}#{FRAGMENT_KEY}{}", URL_SAFE_NO_PAD.encode(packed))
    }

    /// Decodes a code from [`Scenario::encode`], bounded at every step:
    /// [`Scenario::unpack_code`], inflating (here by `miniz_oxide`, at most
    /// [`MAX_SCENARIO_BYTES`]), then [`Scenario::from_inflated`].
    ///
    /// Errors: as [`Scenario::unpack_code`]; [`ScenarioError::Truncated`] or
    /// [`ScenarioError::NotCompressed`] for DEFLATE data that ends early or is not DEFLATE;
    /// as [`Scenario::from_inflated`].
    pub fn decode(code: &str) -> Result<Scenario, ScenarioError> {
        let packed = Scenario::unpack_code(code)?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SCENARIO_BYTES)
            .map_err(|e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ScenarioError::TooLarge,
                miniz_oxide::inflate::TINFLStatus::FailedCannotMakeProgress
                | miniz_oxide::inflate::TINFLStatus::NeedsMoreInput => ScenarioError::Truncated,
                _ => ScenarioError::NotCompressed,
            })?;
        Scenario::from_inflated(&json)
    }

    /// A code's packed bytes (raw DEFLATE, not yet inflated): the page inflates them with
    /// the browser's `DecompressionStream("deflate-raw")`, so its wasm carries no inflater.
    ///
    /// Errors: [`ScenarioError::Empty`], [`ScenarioError::TooLong`] (over
    /// [`MAX_LINK_CHARS`]), [`ScenarioError::NotBase64`], or [`ScenarioError::Truncated`] for
    /// a length no code has.
    pub fn unpack_code(code: &str) -> Result<Vec<u8>, ScenarioError> {
        let code = code.trim();
        if code.is_empty() {
            return Err(ScenarioError::Empty);
        }
        if code.len() > MAX_LINK_CHARS {
            return Err(ScenarioError::TooLong(code.len()));
        }
        URL_SAFE_NO_PAD.decode(code).map_err(|e| match e {
            base64::DecodeError::InvalidByte(i, _) => ScenarioError::NotBase64(Some(i)),
            // A valid character whose bits run past the data, or a length no code has: the
            // code was cut.
            base64::DecodeError::InvalidLastSymbol(..) | base64::DecodeError::InvalidLength(_) => {
                ScenarioError::Truncated
            }
            _ => ScenarioError::NotBase64(None),
        })
    }

    /// The scenario in a code's inflated bytes (UTF-8 JSON).
    ///
    /// Errors: [`ScenarioError::TooLarge`] past [`MAX_SCENARIO_BYTES`],
    /// [`ScenarioError::NotText`], or any [`Scenario::from_json`] error.
    pub fn from_inflated(json: &[u8]) -> Result<Scenario, ScenarioError> {
        if json.len() > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::TooLarge);
        }
        let text = std::str::from_utf8(json).map_err(|_| ScenarioError::NotText)?;
        Scenario::from_json(text)
    }

    /// A share link: `base` (the page's address, any fragment dropped) + `#s=` + the code.
    pub fn to_link(&self, base: &str) -> String {
        let packed = miniz_oxide::deflate::compress_to_vec(&self.link_json(), 9);
        Scenario::link_from_packed(base, &packed)
    }

    /// Reads a share link, a bare fragment (`#s=…` or `s=…`) or a bare code.
    ///
    /// Errors: [`ScenarioError::NoScenarioInLink`] for a link without `#s=`, else as
    /// [`Scenario::decode`].
    pub fn from_link(link: &str) -> Result<Scenario, ScenarioError> {
        Scenario::decode(Scenario::link_code(link)?)
    }

    /// The code in a share link, a bare fragment (`#s=…` or `s=…`) or a bare code.
    ///
    /// Errors: [`ScenarioError::Empty`], [`ScenarioError::TooLong`], or
    /// [`ScenarioError::NoScenarioInLink`] for a link without `#s=`.
    pub fn link_code(link: &str) -> Result<&str, ScenarioError> {
        let link = link.trim();
        if link.is_empty() {
            return Err(ScenarioError::Empty);
        }
        if link.len() > MAX_LINK_CHARS + 2_048 {
            return Err(ScenarioError::TooLong(link.len()));
        }
        let code = if let Some((_, frag)) = link.split_once('#') {
            frag.split('&')
                .find_map(|kv| kv.strip_prefix(FRAGMENT_KEY))
                .ok_or(ScenarioError::NoScenarioInLink)?
        } else if let Some(code) = link.strip_prefix(FRAGMENT_KEY) {
            code
        } else if link.contains("://")
            || link.contains('/')
            || "https:".starts_with(link)
            || "http:".starts_with(link)
        {
            // A page address, or what is left of one cut inside its scheme ("http").
            return Err(ScenarioError::NoScenarioInLink);
        } else {
            link
        };
        Ok(code)
    }
}

/// `v` as JSON bytes through the one serializer type the scenario uses ([`JsonLayout`]), so a
/// part of a scenario written alone (a lesson step) shares the scenario's serialisation code.
fn json_of<T: Serialize>(v: &T, pretty: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(4_096);
    let fmt = JsonLayout {
        pretty: pretty.then(serde_json::ser::PrettyFormatter::new),
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    v.serialize(&mut ser)
        .expect("scenario parts always serialise");
    out
}

/// A lesson step as pretty JSON (the page's step editor).
pub fn step_json(step: &lesson::Step) -> String {
    String::from_utf8(json_of(step, true)).expect("serde_json writes UTF-8")
}

/// A lesson step from JSON (the page's step editor); the lesson it goes into is validated
/// with its scenario ([`Scenario::validate`]).
///
/// Errors: [`ScenarioError::NotJson`] with line and column (an unknown field or fact, a
/// wrong type).
pub fn step_from_json(text: &str) -> Result<lesson::Step, ScenarioError> {
    serde_json::from_str(text).map_err(json_error)
}

/// serde_json's pretty layout when `pretty` is set, else its compact one: a formatter chosen at
/// run time (see [`Scenario::json_bytes`]).
struct JsonLayout {
    pretty: Option<serde_json::ser::PrettyFormatter<'static>>,
}

/// Forwards each whitespace-bearing call to the pretty formatter, or to the compact one.
macro_rules! layout {
    ($($name:ident $(, $arg:ident: $ty:ty)*;)*) => {
        $(
            fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> std::io::Result<()> {
                use serde_json::ser::CompactFormatter;
                match &mut self.pretty {
                    Some(p) => p.$name(w $(, $arg)*),
                    None => CompactFormatter.$name(w $(, $arg)*),
                }
            }
        )*
    };
}

impl serde_json::ser::Formatter for JsonLayout {
    layout! {
        begin_array;
        end_array;
        begin_array_value, first: bool;
        end_array_value;
        begin_object;
        end_object;
        begin_object_key, first: bool;
        begin_object_value;
        end_object_value;
    }
}

fn json_error(e: serde_json::Error) -> ScenarioError {
    // serde_json ends its message with the position, which the error gives apart.
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    ScenarioError::NotJson(e.line(), e.column(), msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_formatter_writes_what_serde_json_writes() {
        for p in crate::scenario::presets::all() {
            let s = Scenario::from_preset(&p, 7);
            assert_eq!(
                s.to_json(),
                serde_json::to_string_pretty(&s).unwrap(),
                "{}",
                p.name
            );
            assert_eq!(
                s.json_bytes(false),
                serde_json::to_vec(&s).unwrap(),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn every_preset_round_trips_through_json_and_links() {
        for p in crate::scenario::presets::all() {
            let s = Scenario::from_preset(&p, 7);
            s.validate().unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s, "{}", p.name);
            let link = s.to_link("http://127.0.0.1:8080/?x=1#old");
            assert!(link.starts_with("http://127.0.0.1:8080/?x=1#s="), "{link}");
            assert!(link.len() < 4_000, "{}: link {} chars", p.name, link.len());
            assert_eq!(Scenario::from_link(&link).unwrap(), s, "{}", p.name);
        }
    }

    /// The page compresses with the browser's DEFLATE, not miniz's: a link made from any
    /// compressor's raw DEFLATE (stored blocks, a fast level) opens the same scenario.
    #[test]
    fn links_from_other_compressors_open_the_same_scenario() {
        let s = Scenario::from_preset(&crate::scenario::presets::cascade(), 3);
        for level in [0, 1, 6] {
            let packed = miniz_oxide::deflate::compress_to_vec(&s.link_json(), level);
            let link = Scenario::link_from_packed("http://h/#x", &packed);
            assert!(link.starts_with("http://h/#s="), "{link}");
            assert_eq!(Scenario::from_link(&link).unwrap(), s, "level {level}");
        }
    }

    #[test]
    fn bad_links_are_named() {
        let s = Scenario::default_scenario();
        let code = s.encode();
        type Check = fn(&ScenarioError) -> bool;
        let cases: Vec<(String, Check)> = vec![
            (String::new(), |e| *e == ScenarioError::Empty),
            ("http://x/".into(), |e| {
                *e == ScenarioError::NoScenarioInLink
            }),
            ("http://x/#t=1".into(), |e| {
                *e == ScenarioError::NoScenarioInLink
            }),
            (format!("#s={}", &code[..code.len() / 2]), |e| {
                *e == ScenarioError::Truncated
            }),
            // Cut by one character: every character left is valid; the code ends too early.
            (format!("#s={}", &code[..code.len() - 1]), |e| {
                *e == ScenarioError::Truncated
            }),
            (format!("#s={}!", &code), |e| {
                matches!(e, ScenarioError::NotBase64(Some(_)))
            }),
            ("#s=".to_string() + &"A".repeat(MAX_LINK_CHARS + 1), |e| {
                matches!(e, ScenarioError::TooLong(_))
            }),
            ("#s=aGVsbG8".into(), |e| *e == ScenarioError::NotCompressed),
        ];
        for (link, ok) in cases {
            let e = Scenario::from_link(&link).unwrap_err();
            assert!(ok(&e), "{link:.60}: {e:?}");
        }
    }

    /// A wrong type deep in a file is reported at its own line, not at line 0 or 1.
    #[test]
    fn type_errors_name_their_line() {
        let json = Scenario::default_scenario().to_json();
        let (n, line) = json
            .lines()
            .enumerate()
            .find(|(_, l)| l.trim_start().starts_with("\"seed\":"))
            .expect("the pretty JSON has a seed line");
        assert!(n > 1, "the seed is not on the first lines: {n}");
        let broken = json.replacen(line, "  \"seed\": \"forty-two\",", 1);
        match Scenario::from_json(&broken) {
            Err(ScenarioError::NotJson(l, _, msg)) => {
                assert_eq!(l, n + 1, "{msg}");
                assert!(msg.contains("invalid type"), "{msg}");
            }
            other => panic!("expected NotJson, got {other:?}"),
        }
    }

    #[test]
    fn versions_limits_and_bombs_are_refused() {
        let mut s = Scenario::default_scenario();
        s.version = 2;
        let e = Scenario::from_json(&serde_json::to_string(&s).unwrap()).unwrap_err();
        assert_eq!(e, ScenarioError::UnsupportedVersion(2));
        assert!(e.to_string().contains("newer HA Lab"));
        assert_eq!(
            Scenario::from_json(r#"{"title": "x"}"#).unwrap_err(),
            ScenarioError::NoVersion
        );
        let mut s = Scenario::default_scenario();
        s.cluster.traffic.rate_rps = 1e9;
        let e = Scenario::decode(&s.encode()).unwrap_err();
        assert!(matches!(e, ScenarioError::Config(_)), "{e:?}");
        assert!(e.to_string().contains("traffic.rate_rps"), "{e}");
        let mut s = Scenario::default_scenario();
        s.duration_s = 0;
        assert!(matches!(
            Scenario::decode(&s.encode()).unwrap_err(),
            ScenarioError::Field("duration_s", _)
        ));
        // A decompression bomb: 10 MB of spaces compress to a few KB.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 10_000_000], 9);
        let code = URL_SAFE_NO_PAD.encode(bomb);
        assert!(code.len() < MAX_LINK_CHARS);
        assert_eq!(
            Scenario::decode(&code).unwrap_err(),
            ScenarioError::TooLarge
        );
        // Unknown fields are named, not ignored.
        let mut v: serde_json::Value =
            serde_json::from_str(&Scenario::default_scenario().to_json()).unwrap();
        v["surprise"] = serde_json::json!(1);
        let e = Scenario::from_json(&v.to_string()).unwrap_err();
        assert!(e.to_string().contains("surprise"), "{e}");
    }
}
