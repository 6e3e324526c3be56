-- The seed's campaign No. 1 (September 2019 report, Tabla 14), as a fixed dataset for the
-- reports golden test: 5,606 initial -> 3,220 cleaned -> 1,583 duplicates -> 1,637 to manage;
-- final dispositions 279, 43, 202, 210, 2, 89, 420, 226, 142, 5, 16, 3; 202 complete surveys
-- with the Q1-Q3 distributions; the Colosó SMS sequence (35 recipients: 70, 35, 70, 105).
-- Applied to a database created by `sondeo init` (or the same migrations). Deterministic.
--
-- Attempts: contact k is dialled on working day (k % 20) of September 2019 (Mon 2 .. Fri 27)
-- at 09:00 + (k % 400) min local (UTC-5). Contacts with k % 4 = 0 had an earlier attempt
-- (one hour before): ABANDONADA (answered, abandoned) when k % 40 = 0, else NO_CONTESTA.
-- Answered final attempts are handled by agente1..3 (1 + k % 3); completes last 180 s + 28 s
-- of wrap-up (TMO 03:28); other answered calls 45 s + 15 s.
BEGIN;
INSERT INTO campaigns(id, name, entity, created_ms)
VALUES ('art-2019', 'Encuesta de satisfacción ART', 'Agencia de Renovación del Territorio',
        1567432800000);
INSERT INTO imports(id, campaign_id, file_name, imported_ms, initial, rejected, cleaned,
                    duplicates, suppressed, callable, reasons_json)
VALUES (1, 'art-2019', 'base_art.xlsx', 1567400000000, 5606, 2386, 3220, 1583, 0, 1637,
        '{"SIN_TELEFONO":1900,"TELEFONO_INVALIDO":486}');
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 1637)
INSERT INTO contacts(id, campaign_id, import_id, source_row, document, nombres, apellidos,
                     municipio, departamento, email, extra_json)
SELECT k, 'art-2019', 1, k + 1, CAST(1000000000 + k AS TEXT), 'Nombre' || k, 'Apellido' || k,
       CASE WHEN k <= 35 THEN 'Colosó' ELSE 'Bogotá' END,
       CASE WHEN k <= 35 THEN 'Sucre' ELSE 'Bogotá D.C.' END, '',
       '{"programa":"PDET"}'
FROM n;
INSERT INTO phones(id, contact_id, e164, type, position)
SELECT id, id, '+57300' || printf('%07d', id), 'mobile', 0 FROM contacts;

CREATE TEMP TABLE ranges(code TEXT, lo INTEGER, hi INTEGER, answered INTEGER);
INSERT INTO ranges VALUES
 ('CORREO_DE_VOZ', 1, 279, 0), ('CONMUTADOR', 280, 322, 1),
 ('ENCUESTA_EFECTIVA', 323, 524, 1), ('ENCUESTA_NO_EFECTIVA', 525, 734, 1),
 ('LINEA_DE_LA_ENTIDAD', 735, 736, 1), ('NO_CONTESTA', 737, 825, 0),
 ('NO_REGISTRA_DATOS', 826, 1245, 1), ('TELEFONO_DANADO', 1246, 1471, 0),
 ('TELEFONO_EQUIVOCADO', 1472, 1613, 1), ('TELEFONO_INVALIDO', 1614, 1618, 0),
 ('VOLVER_A_LLAMAR', 1619, 1634, 1), ('YA_ENCUESTADO', 1635, 1637, 1);

CREATE TEMP TABLE plan AS
SELECT c.id AS k, r.code AS code, r.answered AS answered,
       1567432800000 + (((c.id % 20) / 5) * 7 + (c.id % 20) % 5) * 86400000
         + (c.id % 400) * 60000 AS t
FROM contacts c JOIN ranges r ON c.id BETWEEN r.lo AND r.hi;

-- Earlier attempts (k % 4 = 0).
INSERT INTO attempts(id, campaign_id, contact_id, e164, attempt_number, agent, state,
                     disposition, queued_ms, dial_ms, answer_ms, connect_ms, end_ms,
                     wrapup_end_ms, talk_seconds, abandoned, live, mode, idempotency_key)
SELECT 2 * k - 1, 'art-2019', k, '+57300' || printf('%07d', k), 1, NULL, 'disposed',
       CASE WHEN k % 40 = 0 THEN 'ABANDONADA' ELSE 'NO_CONTESTA' END,
       t - 3600000, t - 3600000,
       CASE WHEN k % 40 = 0 THEN t - 3600000 + 15000 END, NULL,
       CASE WHEN k % 40 = 0 THEN t - 3600000 + 17000 ELSE t - 3600000 + 30000 END, NULL, 0,
       CASE WHEN k % 40 = 0 THEN 1 ELSE 0 END, CASE WHEN k % 40 = 0 THEN 1 ELSE 0 END,
       'progressive', 'art-2019/' || k || '/1'
FROM plan WHERE k % 4 = 0;

-- Final attempts.
INSERT INTO attempts(id, campaign_id, contact_id, e164, attempt_number, agent, state,
                     disposition, queued_ms, dial_ms, answer_ms, connect_ms, end_ms,
                     wrapup_end_ms, talk_seconds, abandoned, live, mode, idempotency_key)
SELECT 2 * k, 'art-2019', k, '+57300' || printf('%07d', k), CASE WHEN k % 4 = 0 THEN 2 ELSE 1 END,
       CASE WHEN answered = 1 THEN 'agente' || (1 + k % 3) END, 'disposed', code, t, t,
       CASE WHEN answered = 1 THEN t + 15000 END,
       CASE WHEN answered = 1 THEN t + 15000 END,
       CASE WHEN code = 'ENCUESTA_EFECTIVA' THEN t + 15000 + 180000
            WHEN answered = 1 THEN t + 15000 + 45000 ELSE t + 30000 END,
       CASE WHEN code = 'ENCUESTA_EFECTIVA' THEN t + 15000 + 208000
            WHEN answered = 1 THEN t + 15000 + 60000 END,
       CASE WHEN code = 'ENCUESTA_EFECTIVA' THEN 180 WHEN answered = 1 THEN 45 ELSE 0 END,
       0, answered, 'progressive', 'art-2019/' || k || '/' || (CASE WHEN k % 4 = 0 THEN 2 ELSE 1 END)
FROM plan;

INSERT INTO contact_dialing(contact_id, campaign_id, status, attempts, dials, next_due_ms,
                            last_disposition, final_disposition, last_attempt_id, updated_ms)
SELECT k, 'art-2019', 'final', CASE WHEN k % 4 = 0 THEN 2 ELSE 1 END,
       CASE WHEN k % 4 = 0 THEN 2 ELSE 1 END, t, code, code, 2 * k, t + 300000
FROM plan;

INSERT INTO surveys(id, version, title, yaml, content_hash, created_ms) VALUES
('satisfaccion_art', 1, 'Encuesta de satisfacción - Servidor Público de la ART',
'id: satisfaccion_art
title: Encuesta de satisfacción - Servidor Público de la ART
version: 1
scales:
  uno_a_cuatro:
    4: Excelente
    3: Bueno
    2: Regular
    1: Malo
questions:
  - id: p1
    type: matrix
    text: Califique de 1 a 4 los siguientes aspectos del servidor público que lo atendió, donde 1 es muy malo y 4 es excelente
    short: Aspectos del servidor público
    scale: uno_a_cuatro
    ns_nr: true
    items:
      amabilidad: Amabilidad
      conocimiento: Conocimiento del tema
      actitud: Actitud de servicio
      lenguaje: Lenguaje claro y sencillo
  - id: p2
    type: rating
    text: Califique de 1 a 4 la Rapidez en la atención, donde 1 es muy malo y 4 es excelente
    short: Rapidez en la atención
    scale: uno_a_cuatro
  - id: p3
    type: yes_no
    text: ¿La entidad ayudó a resolver sus problemas y necesidades?
    short: La entidad ayudó a resolver sus necesidades
', 'fixture', 1567400000000);

INSERT INTO responses(id, survey_id, survey_version, campaign_id, contact_id, attempt_id, agent,
                      status, started_ms, ended_ms, idempotency_key)
SELECT k, 'satisfaccion_art', 1, 'art-2019', k, 2 * k, 'agente' || (1 + k % 3), 'complete',
       t + 15000, t + 195000, 'resp/' || k
FROM plan WHERE code = 'ENCUESTA_EFECTIVA';

CREATE TEMP TABLE idx AS SELECT id AS rid, id - 323 AS i FROM responses;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT rid, 'p1', 'amabilidad',
       CASE WHEN i < 148 THEN '4' WHEN i < 187 THEN '3' WHEN i < 192 THEN '2' ELSE '1' END
FROM idx;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT rid, 'p1', 'conocimiento',
       CASE WHEN i < 135 THEN '4' WHEN i < 170 THEN '3' WHEN i < 186 THEN '2' ELSE '1' END
FROM idx;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT rid, 'p1', 'actitud',
       CASE WHEN i < 135 THEN '4' WHEN i < 181 THEN '3' WHEN i < 185 THEN '2'
            WHEN i < 193 THEN '1' ELSE 'NS/NR' END
FROM idx;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT rid, 'p1', 'lenguaje',
       CASE WHEN i < 152 THEN '4' WHEN i < 182 THEN '3' WHEN i < 190 THEN '2' ELSE '1' END
FROM idx;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT rid, 'p2', '',
       CASE WHEN i < 97 THEN '4' WHEN i < 162 THEN '3' WHEN i < 186 THEN '2' ELSE '1' END
FROM idx;
INSERT INTO answers(response_id, question_id, item_id, value)
SELECT rid, 'p3', '', CASE WHEN i < 129 THEN 'si' ELSE 'no' END FROM idx;

INSERT INTO sms_contract(id, monthly_cap_segments, unit_price, updated_ms)
VALUES (1, 30000, 594.8352, 1567400000000);
CREATE TEMP TABLE steps(step INTEGER, segs INTEGER, txt TEXT);
INSERT INTO steps VALUES
 (0, 2, 'La ART invita a la socialización del PDET en Colosó este lunes a las 9:00 a. m. en la Casa de la Cultura. ¡Participe!'),
 (1, 1, 'Recuerde: socialización PDET hoy en la Casa de la Cultura de Colosó.'),
 (2, 2, 'ART expone a los 11 delegados los avances en la gestión institucional y los esfuerzos del Gobierno Nacional para la implementación'),
 (3, 3, 'Con socializaciones ART se potencia la participación de las comunidades en la implementación de los acuerdos y la ejecución de los PDET. Gracias por asistir.');
INSERT INTO sms_blasts(id, campaign_id, sequence_id, step, template, filter_municipio,
                       scheduled_ms, created_ms, created_by, recipients, segments, unit_price,
                       status, finished_ms)
SELECT step + 1, 'art-2019', 1, step, txt, 'Colosó', 1568642400000 + step * 900000,
       1568600000000, 'supervisor', 35, segs, 594.8352, 'done',
       1568642400000 + step * 900000 + 60000
FROM steps;
INSERT INTO sms_messages(blast_id, contact_id, phone_e164, idem_key, text, encoding, segments,
                         state, attempts, sent_ms, dlr, dlr_ms)
SELECT b.id, c.id, '+57300' || printf('%07d', c.id), 'sms/' || b.id || '/' || c.id, b.template,
       'ucs2', b.segments, 'sent', 1, b.scheduled_ms + c.id * 1000,
       CASE WHEN c.id <= 33 THEN 'delivered' ELSE 'failed' END, b.scheduled_ms + 120000
FROM sms_blasts b JOIN contacts c ON c.id <= 35;
DROP TABLE ranges;
DROP TABLE plan;
DROP TABLE idx;
DROP TABLE steps;
COMMIT;
