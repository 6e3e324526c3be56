-- Bench data for the reports benchmark (bench/reports/run.sh replaces __CONTACTS__ and
-- __RESPONSES__): campaign 'bench' with __CONTACTS__ contacts, one phone each, one attempt
-- each (1,000,000 attempts for the default run), final dispositions spread over the catalogue,
-- __RESPONSES__ complete responses with 6 answers each, 4 SMS blasts.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO campaigns(id, name, entity, created_ms) VALUES ('bench', 'Bench', 'Bench', 0);
INSERT INTO imports(id, campaign_id, file_name, imported_ms, initial, rejected, cleaned,
                    duplicates, suppressed, callable)
VALUES (1, 'bench', 'bench.csv', 0, __CONTACTS__, 0, __CONTACTS__, 0, 0, __CONTACTS__);
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < __CONTACTS__)
INSERT INTO contacts(id, campaign_id, import_id, source_row, document, nombres, apellidos,
                     municipio, departamento, extra_json)
SELECT k, 'bench', 1, k, CAST(1000000000 + k AS TEXT), 'Nombre' || k, 'Apellido' || k,
       'Bogotá', 'Bogotá D.C.', '{"programa":"PDET"}' FROM n;
INSERT INTO phones(id, contact_id, e164, type, position)
SELECT id, id, '+573' || printf('%09d', id), 'mobile', 0 FROM contacts;
CREATE TEMP TABLE codes(i INTEGER PRIMARY KEY, code TEXT, answered INTEGER);
INSERT INTO codes VALUES (0,'CORREO_DE_VOZ',0),(1,'CONMUTADOR',1),(2,'ENCUESTA_EFECTIVA',1),
 (3,'ENCUESTA_NO_EFECTIVA',1),(4,'NO_CONTESTA',0),(5,'NO_REGISTRA_DATOS',1),
 (6,'TELEFONO_DANADO',0),(7,'TELEFONO_EQUIVOCADO',1),(8,'VOLVER_A_LLAMAR',1),(9,'OCUPADO',0);
INSERT INTO attempts(id, campaign_id, contact_id, e164, attempt_number, agent, state,
                     disposition, queued_ms, dial_ms, answer_ms, connect_ms, end_ms,
                     wrapup_end_ms, abandoned, live, idempotency_key)
SELECT c.id, 'bench', c.id, '+573' || printf('%09d', c.id), 1,
       CASE WHEN k.answered = 1 THEN 'agente' || (c.id % 40) END, 'disposed', k.code,
       1567432800000 + (c.id % 60) * 86400000 + (c.id % 480) * 60000,
       1567432800000 + (c.id % 60) * 86400000 + (c.id % 480) * 60000,
       CASE WHEN k.answered = 1 THEN 1567432800000 + (c.id % 60) * 86400000 + (c.id % 480) * 60000 + 15000 END,
       CASE WHEN k.answered = 1 THEN 1567432800000 + (c.id % 60) * 86400000 + (c.id % 480) * 60000 + 15000 END,
       1567432800000 + (c.id % 60) * 86400000 + (c.id % 480) * 60000 + 15000 + (c.id % 300) * 1000,
       CASE WHEN k.answered = 1 THEN 1567432800000 + (c.id % 60) * 86400000 + (c.id % 480) * 60000 + 30000 + (c.id % 300) * 1000 END,
       CASE WHEN c.id % 97 = 0 THEN 1 ELSE 0 END, k.answered, 'bench/' || c.id
FROM contacts c JOIN codes k ON k.i = c.id % 10;
INSERT INTO contact_dialing(contact_id, campaign_id, status, attempts, dials, next_due_ms,
                            final_disposition, last_attempt_id, updated_ms)
SELECT a.contact_id, 'bench', CASE WHEN a.contact_id % 50 = 0 THEN 'pending' ELSE 'final' END,
       1, 1, 0, CASE WHEN a.contact_id % 50 = 0 THEN NULL ELSE a.disposition END, a.id, 0
FROM attempts a;
INSERT INTO surveys(id, version, title, yaml, content_hash, created_ms) VALUES
('s', 1, 'S', 'id: s
title: S
scales:
  e:
    4: Excelente
    3: Bueno
    2: Regular
    1: Malo
questions:
  - id: p1
    type: matrix
    text: Califique
    scale: e
    ns_nr: true
    items:
      a: Amabilidad
      b: Conocimiento del tema
      c: Actitud de servicio
      d: Lenguaje claro y sencillo
  - id: p2
    type: rating
    text: Rapidez
    scale: e
  - id: p3
    type: yes_no
    text: ¿Le ayudó?
', 'x', 0);
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < __RESPONSES__)
INSERT INTO responses(id, survey_id, survey_version, campaign_id, contact_id, attempt_id, agent,
                      status, started_ms, ended_ms, idempotency_key)
SELECT k, 's', 1, 'bench', k * (__CONTACTS__ / __RESPONSES__), k * (__CONTACTS__ / __RESPONSES__),
       'agente' || (k % 40), 'complete', 1567432800000 + (k % 60) * 86400000,
       1567432800000 + (k % 60) * 86400000 + 200000, 'r/' || k FROM n;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT id, 'p1', 'a', CAST(1 + id % 4 AS TEXT) FROM responses;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT id, 'p1', 'b', CAST(1 + (id / 3) % 4 AS TEXT) FROM responses;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT id, 'p1', 'c', CASE WHEN id % 17 = 0 THEN 'NS/NR' ELSE CAST(1 + (id / 7) % 4 AS TEXT) END FROM responses;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT id, 'p1', 'd', CAST(1 + (id / 11) % 4 AS TEXT) FROM responses;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT id, 'p2', '', CAST(1 + (id / 13) % 4 AS TEXT) FROM responses;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT id, 'p3', '', CASE WHEN id % 3 = 0 THEN 'no' ELSE 'si' END FROM responses;
INSERT INTO sms_contract VALUES (1, 30000, 594.8352, 0);
WITH RECURSIVE s(step) AS (SELECT 0 UNION ALL SELECT step + 1 FROM s WHERE step < 3)
INSERT INTO sms_blasts(id, campaign_id, sequence_id, step, template, scheduled_ms, created_ms,
                       created_by, recipients, segments, status)
SELECT step + 1, 'bench', 1, step, 'Mensaje ' || step, 1568642400000 + step * 900000, 0, 'b',
       10000, 1 + step % 3, 'done' FROM s;
INSERT INTO sms_messages(blast_id, contact_id, phone_e164, idem_key, text, encoding, segments,
                         state, sent_ms, dlr)
SELECT b.id, c.id, '+573' || printf('%09d', c.id), b.id || '/' || c.id, b.template, 'gsm7',
       b.segments, 'sent', b.scheduled_ms, CASE WHEN c.id % 20 = 0 THEN 'failed' ELSE 'delivered' END
FROM sms_blasts b JOIN contacts c ON c.id <= 10000;
DROP TABLE codes;
COMMIT;
ANALYZE;
