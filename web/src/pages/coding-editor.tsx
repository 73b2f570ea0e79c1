/// <reference types="vite/client" />
// The candidate's code editor for a coding question, loaded only when the interviewer sends a problem (a dynamic
// import in interview.tsx): CodeMirror, the language modes and the sandboxes never weigh on the join page.
import { autocompletion, closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from '@codemirror/language';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import pgliteData from '@electric-sql/pglite/pglite.data?url';
import pgliteWasm from '@electric-sql/pglite/pglite.wasm?url';
import initdbWasm from '@electric-sql/pglite/initdb.wasm?url';
import quickjsWasm from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import { useRoomContext } from '@livekit/components-react';
import { RoomEvent, type LocalParticipant, type RemoteParticipant } from 'livekit-client';
import { useEffect, useRef, useState } from 'react';
import {
  codeAckSchema,
  codeAckTopic,
  isRunnable,
  type CodingLanguage,
  type ProblemMessage,
  type TestResult,
} from '../../../shared/coding/coding.schema.ts';
import { createBrowserSandboxes, type BrowserSandboxes } from '../../../shared/coding/engines/browser-sandbox.ts';
import { codingLanguageNames as languageNames } from '../../../shared/coding/language-names.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { createEventSender, type EventSender } from './code-sender.ts';
import './coding.css';


// Each mode is its own chunk: a Python interview never downloads the SQL grammar.
async function languageMode(language: CodingLanguage): Promise<Extension> {
  switch (language) {
    case 'PYTHON':
      return (await import('@codemirror/lang-python')).python();
    case 'JAVASCRIPT':
      return (await import('@codemirror/lang-javascript')).javascript();
    case 'TYPESCRIPT':
      return (await import('@codemirror/lang-javascript')).javascript({ typescript: true });
    case 'SQL': {
      const sql = await import('@codemirror/lang-sql');
      return sql.sql({ dialect: sql.PostgreSQL });
    }
    case 'JAVA':
      return (await import('@codemirror/lang-java')).java();
    case 'PHP':
      return (await import('@codemirror/lang-php')).php({ plain: true });
    case 'GO':
      return (await import('@codemirror/lang-go')).go();
    default:
      return [];
  }
}

let sandboxes: BrowserSandboxes | null = null;
function getSandboxes(): BrowserSandboxes {
  sandboxes ??= createBrowserSandboxes({
    createWorker: () =>
      new Worker(new URL('../../../shared/coding/engines/browser-worker.ts', import.meta.url), { type: 'module' }),
    assets: {
      // Copied beside the build's assets by web/vite.config.ts (Pyodide loads its files from one folder).
      pyodideIndexURL: new URL('/assets/pyodide/', location.href).href,
      quickjsWasmURL: quickjsWasm,
      pgliteWasmURL: pgliteWasm,
      initdbWasmURL: initdbWasm,
      pgliteDataURL: pgliteData,
    },
  });
  return sandboxes;
}

const snapshotEvery = 20;

export default function CodingEditor({
  message,
  participant,
  storageKey,
  reconnects,
}: {
  message: ProblemMessage;
  /** Counts the room's reconnections. */
  reconnects: number;
  participant: LocalParticipant;
  /** The interview's participant identity: keeps each interview's numbers apart in sessionStorage. */
  storageKey: string;
}) {
  const { t } = useI18n();
  const { problem, questionId } = message;
  const key = `${storageKey}.${questionId}`;
  const [accepted, setAccepted] = useState(() => sessionStorage.getItem(`code.accepted.${key}`) === '1');
  const [wide, setWide] = useState(() => !window.matchMedia('(max-width: 699px)').matches);
  const host = useRef<HTMLDivElement | null>(null);
  const view = useRef<EditorView | null>(null);
  const sender = useRef<EventSender | null>(null);
  const room = useRoomContext();
  const [run, setRun] = useState<
    { state: 'idle' } | { state: 'running' } | { state: 'done'; results: TestResult[] } | { state: 'failed' }
  >({ state: 'idle' });
  const runnable = isRunnable(problem.language);
  const language = languageNames[problem.language];

  useEffect(() => {
    const query = window.matchMedia('(max-width: 699px)');
    const onChange = () => setWide(!query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);

  useEffect(() => {
    if (!accepted || !wide || !host.current) return;
    let cancelled = false;
    const send = createEventSender(participant, key, questionId);
    sender.current = send;
    const codeKey = `code.text.${key}`;
    const saved = sessionStorage.getItem(codeKey);
    let changesSinceSnapshot = 0;
    if (runnable) getSandboxes().warm(problem.language as 'PYTHON');
    void languageMode(problem.language).then((mode) => {
      if (cancelled || !host.current) return;
      const state = EditorState.create({
        doc: saved ?? problem.starterCode,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          autocompletion(),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          indentUnit.of('    '),
          // Tab indents; Escape then Tab leaves the editor (CodeMirror's own way out for keyboard users).
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
          mode,
          // Labelled by the heading above it, which follows the page's language without rebuilding the editor.
          EditorView.contentAttributes.of({ 'aria-labelledby': 'coding-editor-label', dir: 'ltr' }),
          EditorView.updateListener.of((update) => {
            for (const tr of update.transactions) {
              if (!tr.docChanged) continue;
              send.push({ type: 'change', at: send.at(), changes: tr.changes.toJSON() });
              if (tr.isUserEvent('input.paste')) {
                let chars = 0;
                tr.changes.iterChanges((_fa, _ta, _fb, _tb, inserted) => (chars += inserted.length));
                send.push({ type: 'paste', at: send.at(), chars });
              }
              if (++changesSinceSnapshot >= snapshotEvery) {
                changesSinceSnapshot = 0;
                send.push({ type: 'snapshot', at: send.at(), code: tr.newDoc.toString() });
              }
            }
            if (update.docChanged) sessionStorage.setItem(codeKey, update.state.doc.toString());
          }),
        ],
      });
      view.current = new EditorView({ state, parent: host.current });
      // Every (re)start of the editor says where the code stands: after a reload or a rejoin the interviewer and
      // the store take it from here.
      send.push({ type: 'snapshot', at: send.at(), code: state.doc.toString() });
    });
    // What an earlier page (before a reload) or an earlier editor sent without an answer goes again.
    send.resendUnacked();
    room.registerTextStreamHandler(codeAckTopic, async (reader) => {
      const ack = codeAckSchema.safeParse(safeJson(await reader.readAll()));
      if (ack.success) send.ack(ack.data);
    });
    // The interviewer's job restarted (or joined late): what it may not have stored goes again.
    const onJoined = (p: RemoteParticipant) => {
      if (p.isAgent) send.resendUnacked();
    };
    room.on(RoomEvent.ParticipantConnected, onJoined);
    const onVisibility = () =>
      send.push({ type: 'focus', at: send.at(), state: document.hidden ? 'lost' : 'regained' });
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      cancelled = true;
      room.unregisterTextStreamHandler(codeAckTopic);
      room.off(RoomEvent.ParticipantConnected, onJoined);
      document.removeEventListener('visibilitychange', onVisibility);
      send.close();
      view.current?.destroy();
      view.current = null;
      sender.current = null;
    };
  }, [accepted, wide, key, questionId, participant, problem, runnable, room]);

  // After a lost connection the page sends every batch the interviewer has not answered, and the whole code again.
  useEffect(() => {
    const send = sender.current;
    const code = view.current?.state.doc.toString();
    if (reconnects === 0 || !send || code === undefined) return;
    send.resendUnacked();
    send.push({ type: 'snapshot', at: send.at(), code });
  }, [reconnects]);

  async function runTests() {
    const code = view.current?.state.doc.toString();
    const send = sender.current;
    if (code === undefined || !send || !isRunnable(problem.language)) return;
    setRun({ state: 'running' });
    try {
      const results = await getSandboxes().runTests(problem.language, {
        problem: { entry: problem.entry, sqlSetup: problem.sqlSetup },
        code,
        tests: problem.tests,
      });
      send.push({ type: 'run', at: send.at(), results });
      setRun({ state: 'done', results });
    } catch {
      setRun({ state: 'failed' });
    }
  }

  if (!wide) {
    return (
      <section className="card coding small-screen" aria-labelledby="coding-title" data-testid="coding-small-screen">
        <h2 id="coding-title">{t('coding.title')}</h2>
        <p>{t('coding.smallScreen')}</p>
        {/* Only when HR allowed it on the job; otherwise a phone is no place for this interview. */}
        {message.voiceOnlyAllowed ? <p data-testid="coding-voice-only">{t('coding.voiceOnly')}</p> : null}
      </section>
    );
  }

  const passed = run.state === 'done' ? run.results.filter((r) => r.passed).length : 0;
  return (
    <section className="card coding" aria-labelledby="coding-title" data-testid="coding">
      <h2 id="coding-title">{t('coding.title')}</h2>
      <h3>{t('coding.statement')}</h3>
      {/* Problems are written in the interview's language or English; code names inside stay as they are. */}
      <p className="statement" dir="auto" data-testid="coding-statement">
        {problem.statement}
      </p>
      {!accepted ? (
        <div className="notice coding-notice" data-testid="coding-notice">
          <h3>{t('coding.noticeTitle')}</h3>
          <p>{t('coding.notice')}</p>
          <button
            type="button"
            className="primary"
            onClick={() => {
              sessionStorage.setItem(`code.accepted.${key}`, '1');
              setAccepted(true);
            }}
          >
            {t('coding.start')}
          </button>
        </div>
      ) : (
        <>
          <p id="coding-editor-label" className="label">
            {t('coding.editorLabel', { language })}
          </p>
          {/* Code reads left to right whatever the page's direction. */}
          <div className="code-editor" dir="ltr" ref={host} data-testid="code-editor" />
          {runnable ? (
            <div className="run-row">
              <button
                type="button"
                className="primary"
                disabled={run.state === 'running'}
                onClick={() => void runTests()}
                data-testid="run"
              >
                {run.state === 'running' ? t('coding.running') : t('coding.run')}
              </button>
              {run.state === 'running' ? <p className="hint">{t('coding.loadingEngine')}</p> : null}
            </div>
          ) : (
            <p className="hint" data-testid="coding-not-run">
              {t('coding.notRun', { language })}
            </p>
          )}
        </>
      )}
      <h3>{t('coding.tests')}</h3>
      <ul className="coding-tests" dir="ltr">
        {problem.tests.map((test) => (
          <li key={test.name}>
            <strong>{test.name}</strong>
            {test.args ? (
              <code>{`${problem.entry ?? ''}(${test.args.map((a) => JSON.stringify(a)).join(', ')})`}</code>
            ) : null}
            <span>
              {' → '}
              <code>{JSON.stringify(test.expected)}</code>
            </span>
          </li>
        ))}
      </ul>
      <div role="status" aria-live="polite">
        {run.state === 'failed' ? <p className="field-error">{t('coding.runFailed')}</p> : null}
        {run.state === 'done' ? (
          <div data-testid="run-results">
            <p className="run-summary">{t('coding.results', { passed, total: run.results.length })}</p>
            <ul className="run-results">
              {run.results.map((r) => (
                <li key={r.name} data-passed={r.passed} data-testid="run-result">
                  <strong>
                    {r.passed ? '✓ ' : '✗ '}
                    {r.name}: {r.passed ? t('coding.passed') : t('coding.failed')}
                  </strong>
                  {r.timedOut ? <p data-testid="timed-out">{t('coding.timedOut')}</p> : null}
                  {r.actual !== null ? (
                    <p>
                      {t('coding.actual')}: <code dir="ltr">{r.actual}</code>
                    </p>
                  ) : null}
                  {r.output ? (
                    <div>
                      {t('coding.output')}: <pre dir="ltr">{r.output}</pre>
                    </div>
                  ) : null}
                  {r.error && !r.timedOut ? (
                    <div>
                      {t('coding.error')}: <pre dir="ltr">{r.error}</pre>
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </section>
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
