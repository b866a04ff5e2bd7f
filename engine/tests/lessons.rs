//! Lessons: every built-in lesson plays headless to its end with each trigger reached in
//! order and each question answered; bad lessons are refused by name; `ha-sim lesson` prints
//! the steps and exits 2 when a trigger never comes.

use ha_engine::scenario::lesson::{Fact, LessonError, Measure, Question, Step};
use ha_engine::scenario::lessons;
use ha_engine::sim::player::{play, Reading};
use ha_engine::ScenarioError;
use std::process::Command;

#[test]
fn the_index_names_every_lesson_file_in_order() {
    for ((name, title), (file, _)) in lessons::INDEX.iter().zip(lessons::ALL) {
        assert_eq!(*name, file);
        let sc = lessons::scenario(name).unwrap().unwrap();
        assert_eq!(*title, sc.lesson.unwrap().title);
    }
    assert_eq!(lessons::INDEX.len(), lessons::ALL.len());
}

#[test]
fn every_built_in_lesson_plays_to_its_end() {
    assert!(lessons::ALL.len() >= 8);
    for (name, _) in lessons::ALL {
        let sc = lessons::scenario(name).unwrap().unwrap();
        let lesson = sc.lesson.clone().unwrap();
        assert!(
            (5..=12).contains(&lesson.steps.len()),
            "{name}: {} steps",
            lesson.steps.len()
        );
        let questions = lesson.steps.iter().filter(|s| s.question.is_some()).count();
        assert!(questions >= 2, "{name}: {questions} predictions");
        let played = play(&sc).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(played.len(), lesson.steps.len(), "{name}");
        for w in played.windows(2) {
            assert!(
                w[0].at_ms <= w[1].at_ms,
                "{name}: step {} before {}",
                w[1].step,
                w[0].step
            );
        }
        for (r, step) in played.iter().zip(&lesson.steps) {
            assert_eq!(
                r.answer.is_some(),
                step.question.is_some(),
                "{name} step {}",
                r.step + 1
            );
        }
    }
}

#[test]
fn the_discovery_lesson_answers_from_the_run() {
    let sc = lessons::scenario("discovery").unwrap().unwrap();
    let played = play(&sc).unwrap();
    // Step 5 is the registry's expiry: 30 s after the last heartbeat before the 15.5 s crash.
    let expired = played[4].at_ms;
    assert!((40_000.0..=45_600.0).contains(&expired), "{expired}");
    // How long it stayed listed, read from the engine: between 25 and 30 s.
    let Some(Reading::Number(listed)) = played[3].answer.as_ref().map(|a| a.value) else {
        panic!("no answer")
    };
    assert!((25.0..=30.0).contains(&listed), "{listed}");
    // Failed requests until the expiry: about half of user-service's 20 req/s for that long.
    let Some(Reading::Number(failed)) = played[1].answer.as_ref().map(|a| a.value) else {
        panic!("no answer")
    };
    assert!(
        (0.35 * 20.0 * listed..=0.65 * 20.0 * listed).contains(&failed),
        "{failed}"
    );
    // Nothing fails after the expiry.
    assert_eq!(
        played[4].answer.as_ref().unwrap().value,
        Reading::Number(0.0)
    );
    // Deterministic: the same lesson plays the same.
    assert_eq!(play(&sc).unwrap(), played);
}

#[test]
fn a_trigger_that_never_comes_and_a_question_without_an_answer_are_named() {
    let mut sc = lessons::scenario("discovery").unwrap().unwrap();
    let lesson = sc.lesson.as_mut().unwrap();
    lesson.steps[4].on = Some(Fact::Expired);
    lesson.steps[4].of = Some("192.168.1.10:8080".into());
    assert_eq!(
        play(&sc),
        Err(ScenarioError::Lesson(LessonError::NeverReached(5, 120)))
    );

    let mut sc = lessons::scenario("discovery").unwrap().unwrap();
    let lesson = sc.lesson.as_mut().unwrap();
    // p99 of an instance that crashed before the question and served nothing since.
    lesson.steps[4].question = Some(Question {
        ask: "p99?".into(),
        measure: Measure::P99Ms,
        of: Some("192.168.1.11:8080".into()),
        choices: vec![],
        pick: None,
        tolerance_pct: None,
        reveal_at: 0,
        why: String::new(),
    });
    lesson.steps[5].at_s = Some(119.0);
    // By 1:59 its metrics window holds no response: the engine has no p99 to answer with.
    assert_eq!(
        play(&sc),
        Err(ScenarioError::Lesson(LessonError::NoAnswer(5)))
    );
    // A measure given an element it takes none of is refused before anything plays.
    lesson_with(&mut sc, |s| {
        s[1].question.as_mut().unwrap().of = Some("x".into())
    });
    assert!(matches!(
        sc.validate(),
        Err(ScenarioError::Lesson(LessonError::NeedsElement(2, _)))
    ));
}

fn lesson_with(sc: &mut ha_engine::Scenario, f: impl FnOnce(&mut Vec<Step>)) {
    f(&mut sc.lesson.as_mut().unwrap().steps);
}

#[test]
fn a_lesson_rides_in_the_share_link() {
    let sc = lessons::scenario("breaker").unwrap().unwrap();
    let back = ha_engine::Scenario::decode(&sc.encode()).unwrap();
    assert_eq!(back, sc);
    assert_eq!(play(&back).unwrap(), play(&sc).unwrap());
}

#[test]
fn bad_lesson_json_is_refused_by_name() {
    let mut v: serde_json::Value =
        serde_json::from_str(&lessons::scenario("discovery").unwrap().unwrap().to_json()).unwrap();
    v["lesson"]["steps"][4]["on"] = "instance_exploded".into();
    let e = ha_engine::Scenario::from_json(&v.to_string())
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown fact `instance_exploded`"), "{e}");
    v["lesson"]["steps"][4]["on"] = "expired".into();
    v["lesson"]["steps"][0]["text"] = "<img src=x onerror=alert(1)>".into();
    let e = ha_engine::Scenario::from_json(&v.to_string())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "the lesson is invalid: step 1: the text contains markup (<img s…); lesson texts are plain text with **bold**, `code` and - lists"
    );
    v["lesson"]["steps"][0]["text"] = "ok".into();
    v["lesson"]["steps"][2]["at_s"] = 500.into();
    let e = ha_engine::Scenario::from_json(&v.to_string())
        .unwrap_err()
        .to_string();
    assert!(e.contains("step 3: at_s is 500"), "{e}");
}

#[test]
fn ha_sim_plays_a_lesson_and_names_what_never_came() {
    let bin = env!("CARGO_BIN_EXE_ha-sim");
    let out = Command::new(bin).args(["lessons"]).output().unwrap();
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), lessons::ALL.len());
    let out = Command::new(bin)
        .args(["lesson", "failover"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(steps[1]["trigger"], "on");
    assert!(steps[1]["answer"]["value"].as_f64().unwrap() > 5.0);

    // A lesson whose trigger never comes, through a link: exit 2 and the step named.
    let mut sc = lessons::scenario("discovery").unwrap().unwrap();
    sc.lesson.as_mut().unwrap().steps[4].on = Some(Fact::Expired);
    sc.lesson.as_mut().unwrap().steps[4].of = Some("192.168.1.20:8081".into());
    let link = sc.to_link("http://127.0.0.1:8080/");
    let out = Command::new(bin)
        .args(["lesson", "--link", &link])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("step 5: its trigger never happened within the scenario's 120 s"),
        "{err}"
    );
}
