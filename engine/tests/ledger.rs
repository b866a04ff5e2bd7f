//! The exactly-once checks can fail. A deliberately broken engine (the `test-faults`
//! feature's [`BookkeepingFault`]) that ends one request twice, or never ends it, is caught by
//! [`Simulation::check_exactly_once`], the check the rest of the suite relies on (the
//! `every_request_ends_exactly_once` proptest, the property tests after every event, the soak
//! every simulated hour, fuzzing, presets, mechanisms and teaching tests).

use ha_engine::event::LOG_CAPACITY;
use ha_engine::{presets, BookkeepingFault, LedgerError, SimTime, Simulation};

mod common;
use common::ended_in_log;

/// The discovery preset run for 10 s, the fault armed, then 10 s more: the 1 s request
/// timeout (no retries) bounds a request's life far below that.
fn broken(fault: Option<BookkeepingFault>) -> Simulation {
    let mut sim = Simulation::keeping_events(presets::discovery().config, 42, LOG_CAPACITY)
        .expect("preset is valid");
    sim.run_until(SimTime::from_secs(10));
    assert_eq!(sim.check_exactly_once(), Ok(()), "sound before the fault");
    if let Some(f) = fault {
        sim.break_bookkeeping(f);
    }
    sim.run_until(SimTime::from_secs(20));
    sim
}

#[test]
fn the_unbroken_engine_passes_and_logs_one_end_per_request() {
    let sim = broken(None);
    assert_eq!(sim.check_exactly_once(), Ok(()));
    let t = sim.totals();
    assert!(t.add_up(), "{t:?}");
    assert_eq!(sim.log().count("request_ended"), t.ended());
    let (entries, distinct) = ended_in_log(&sim);
    assert_eq!(entries, distinct.len());
}

#[test]
fn a_request_ended_twice_is_caught() {
    let sim = broken(Some(BookkeepingFault::EndTwice));
    let err = sim.check_exactly_once().unwrap_err();
    assert!(
        matches!(err, LedgerError::EndedTwice { attempts: 1, .. }),
        "{err:?}"
    );
    // The outcome was counted twice for one request: the counts no longer add up either, and
    // the outcome counts exceed the log's ends by one.
    let t = sim.totals();
    assert!(!t.add_up(), "{t:?}");
    assert_eq!(t.ended(), sim.log().count("request_ended") + 1);
}

#[test]
fn a_request_never_ended_is_caught_by_its_age() {
    let sim = broken(Some(BookkeepingFault::NeverEnd));
    let err = sim.check_exactly_once().unwrap_err();
    let LedgerError::Overdue {
        age_us, bound_us, ..
    } = err
    else {
        panic!("expected Overdue, got {err:?}");
    };
    // Discovery: 1 s timeout, no retries.
    assert_eq!(bound_us, 1_000_000);
    assert!(age_us > bound_us);
    // The counts alone cannot see a request that is simply kept: arrived = ended + held.
    assert!(sim.totals().add_up());
}
