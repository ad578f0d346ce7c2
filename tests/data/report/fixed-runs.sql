-- Two runs with hand-computed statistics (tests/test_statistics.cpp, test_report.cpp, test_merge.cpp).
-- Loaded into a database that hil::prepareDatabase() has given the current schema. Times: monotonic ns
-- since the run started; 1 s = 1000000000.
--
-- Run 1 "fixed": device sensor, step "read" every second, latency i+1 ms for i = 0..9, FAIL at i = 3, 4
-- and 7; device aux, step "ping": PASS at 0.5 s, ERROR (no answer) at 5.5 s. Expected, worked out by hand:
--   read: 10 results, 7 pass, 3 fail; p50 5 ms, p90 9 ms, p95/p99/p99.9 10 ms (nearest rank), mean 5.5 ms;
--         failure rate 3/10, Wilson 95 % [0.1078, 0.6032]; flips 4; longest fail streak 2 from 3 s.
--   sensor availability: each result covers the time since the previous one's end:
--         up = 1 ms + 6 x 1.001 s = 6.007 s, down = 3 x 1.001 s = 3.003 s, availability 6.007 / 9.010;
--         2 failure episodes, MTBF 3.0035 s; longest outage 2.002 s from 2.003 s.
--   aux: up 1 ms, unknown 5.499 s (the ERROR), availability 1.
--   run: up 6.008 s, down 3.003 s, 2 episodes, MTBF 3.004 s; failure rate 3/11 (ERROR is not a trial).
--   t: samples at i = 0,1,2,5,6,8,9 = 21..27 and a non-number at i = 7: 8 samples, 7 numeric,
--         mean 24, sigma sqrt(28 / 6) = 2.1602469, min 21, max 27, limits [15, 35]:
--         Cpk = min(35 - 24, 24 - 15) / (3 sigma) = 1.3887301; marginal band [22, 32]: 1 marginal (21).
--   faults: blackout on sensor 2.5 s .. 4.5 s, recovery found = 5.006 - 4.5 = 0.506 s, 2 failed results;
--           latency on sensor 6.5 s .. 7.5 s, recovery recorded 0.123456789 s, 1 failed result;
--           power cut on aux 5.2 s .. 5.4 s: never recovered (aux only errs after), 1 failed result.
--
-- Run 2 "hostile": every string a device or a file could supply is an attack on the report.

INSERT INTO runs (id, uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial, firmware, host, seed,
                  started_at_ns, ended_at_ns, duration_ns, verdict, reason, iterations, n_pass, n_fail, n_error,
                  n_abort, n_marginal)
VALUES (1, 'aaaaaaaa-0000-4000-8000-000000000001', 'fixed', 'scenarios/fixed.yaml', 'bench', 'fixtures/bench.yaml',
        'station-1', 'SN0001', '1.0.0', 'lab-pc', 42, 1790000000000000000, 1790000010000000000, 10000000000, 'FAIL',
        NULL, 10, 8, 3, 1, 0, 1);

INSERT INTO step_results (id, run_id, phase, iteration, step_index, repetition, step, device, start_ns, end_ns,
                          latency_ns, lateness_ns, verdict, marginal, message, response) VALUES
 (1, 1, 'steps', 0, 0, 0, 'read', 'sensor', 0, 1000000, 1000000, 0, 'PASS', 1, 't = 21 degC marginal', CAST('TEMP 21' AS BLOB)),
 (2, 1, 'steps', 0, 1, 0, 'ping', 'aux', 500000000, 501000000, 1000000, 0, 'PASS', 0, NULL, CAST('PONG' AS BLOB)),
 (3, 1, 'steps', 1, 0, 0, 'read', 'sensor', 1000000000, 1002000000, 2000000, 0, 'PASS', 0, NULL, CAST('TEMP 22' AS BLOB)),
 (4, 1, 'steps', 2, 0, 0, 'read', 'sensor', 2000000000, 2003000000, 3000000, 0, 'PASS', 0, NULL, CAST('TEMP 23' AS BLOB)),
 (5, 1, 'steps', 3, 0, 0, 'read', 'sensor', 3000000000, 3004000000, 4000000, 0, 'FAIL', 0,
  'no match for ^TEMP: device answered ''ERR 42''', CAST('ERR 42' AS BLOB)),
 (6, 1, 'steps', 4, 0, 0, 'read', 'sensor', 4000000000, 4005000000, 5000000, 0, 'FAIL', 0,
  'no match for ^TEMP', X'45525220ff1b5b324a'),
 (7, 1, 'steps', 5, 0, 0, 'read', 'sensor', 5000000000, 5006000000, 6000000, 0, 'PASS', 0, NULL, CAST('TEMP 24' AS BLOB)),
 (8, 1, 'steps', 5, 1, 0, 'ping', 'aux', 5500000000, 6000000000, NULL, 0, 'ERROR', 0, 'device lost', NULL),
 (9, 1, 'steps', 6, 0, 0, 'read', 'sensor', 6000000000, 6007000000, 7000000, 0, 'PASS', 0, NULL, CAST('TEMP 25' AS BLOB)),
 (10, 1, 'steps', 7, 0, 0, 'read', 'sensor', 7000000000, 7008000000, 8000000, 0, 'FAIL', 0,
  'capture t is not a number', CAST('TEMP x' AS BLOB)),
 (11, 1, 'steps', 8, 0, 0, 'read', 'sensor', 8000000000, 8009000000, 9000000, 0, 'PASS', 0, NULL, CAST('TEMP 26' AS BLOB)),
 (12, 1, 'steps', 9, 0, 0, 'read', 'sensor', 9000000000, 9010000000, 10000000, 0, 'PASS', 0, NULL, CAST('TEMP 27' AS BLOB));

INSERT INTO measurements (id, run_id, step_result_id, name, value, unit, low, high, marginal_low, marginal_high, verdict,
                          marginal, t_ns) VALUES
 (1, 1, 1, 't', 21, 'degC', 15, 35, 22, 32, 'PASS', 1, 1000000),
 (2, 1, 3, 't', 22, 'degC', 15, 35, 22, 32, 'PASS', 0, 1002000000),
 (3, 1, 4, 't', 23, 'degC', 15, 35, 22, 32, 'PASS', 0, 2003000000),
 (4, 1, 7, 't', 24, 'degC', 15, 35, 22, 32, 'PASS', 0, 5006000000),
 (5, 1, 9, 't', 25, 'degC', 15, 35, 22, 32, 'PASS', 0, 6007000000),
 (6, 1, 10, 't', NULL, 'degC', 15, 35, 22, 32, 'FAIL', 0, 7008000000),
 (7, 1, 11, 't', 26, 'degC', 15, 35, 22, 32, 'PASS', 0, 8009000000),
 (8, 1, 12, 't', 27, 'degC', 15, 35, 22, 32, 'PASS', 0, 9010000000);

INSERT INTO events (id, run_id, t_ns, kind, device, detail) VALUES
 (1, 1, 0, 'connect', 'sensor', 'pty /dev/pts/3'),
 (2, 1, 2500000000, 'fault-start', 'sensor', 'blackout'),
 (3, 1, 4500000000, 'fault-end', 'sensor', 'blackout'),
 (4, 1, 5500000000, 'disconnect', 'aux', 'EOF'),
 (5, 1, 9500000000, 'error', NULL, 'aux lost');

INSERT INTO faults (id, run_id, device, target, kind, direction, params, seed, manual, start_ns, end_ns, recovery_ns,
                    bytes_dropped, bytes_corrupted, bytes_delayed) VALUES
 (1, 1, 'sensor', 'link', 'blackout', 'both', '{for: 2s}', 7, 0, 2500000000, 4500000000, NULL, 120, 0, 0),
 (2, 1, 'sensor', 'link', 'latency', 'from-device', '{delay: 150ms}', 7, 0, 6500000000, 7500000000, 123456789, 0, 0, 64),
 (3, 1, 'aux', 'power', 'cut', NULL, NULL, NULL, 1, 5200000000, 5400000000, NULL, NULL, NULL, NULL);

-- Run 2: hostile strings everywhere (char(7) bell, char(27) escape, char(8238) right-to-left override, char(0)).
INSERT INTO runs (id, uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial, firmware, host, seed,
                  started_at_ns, ended_at_ns, duration_ns, verdict, reason, iterations, n_pass, n_fail, n_error,
                  n_abort, n_marginal)
VALUES (2, 'bbbbbbbb-0000-4000-8000-000000000002', '<script>alert("scenario")</script>', 'x"><script>alert(1)</script>',
        'bench''"><img src=x onerror=alert(2)>', NULL, 'st' || char(7) || 'ation', 'SN<1>&amp;',
        '1.0' || char(27) || '[31mRED', 'host</footer>', 7, 1790000100000000000, 1790000102000000000, 2000000000,
        'FAIL', '<b>reason</b>', 1, 1, 1, 0, 0, 0);

INSERT INTO step_results (id, run_id, phase, iteration, step_index, repetition, step, device, start_ns, end_ns,
                          latency_ns, lateness_ns, verdict, marginal, message, response) VALUES
 (13, 2, 'steps', 0, 0, 0, '"''><svg onload=alert(3)>', 'dev</td><td>', 0, 1000000, 1000000, 0, 'PASS', 0, NULL,
  CAST('OK' AS BLOB)),
 (14, 2, 'steps', 0, 0, 1, '"''><svg onload=alert(3)>', 'dev</td><td>', 1000000000, 1002000000, 2000000, 0, 'FAIL', 0,
  'bad </pre><script>alert(4)</script> evil' || char(8238) || 'txt', X'3c7363726970743e616c6572742835293c2f7363726970743e00011b5b324aff22273c');

INSERT INTO measurements (id, run_id, step_result_id, name, value, unit, low, high, marginal_low, marginal_high, verdict,
                          marginal, t_ns) VALUES
 (9, 2, 13, 't<i>', 1.5, '°C"', 0, 1, NULL, NULL, 'FAIL', 0, 1000000),
 (10, 2, 14, 't<i>', 0.5, '°C"', 0, 1, NULL, NULL, 'PASS', 0, 1002000000);

INSERT INTO events (id, run_id, t_ns, kind, device, detail) VALUES
 (6, 2, 500000000, '<blink>kind', 'dev</td><td>', '<iframe src="javascript:alert(6)"></iframe>' || char(0) || 'after-nul');

INSERT INTO faults (id, run_id, device, target, kind, direction, params, seed, manual, start_ns, end_ns, recovery_ns,
                    bytes_dropped, bytes_corrupted, bytes_delayed) VALUES
 (4, 2, 'dev</td><td>', 'link', '<b>blackout</b>', NULL, '{"x":"</script>"}', NULL, 0, 200000000, 400000000, NULL,
  NULL, NULL, NULL);
