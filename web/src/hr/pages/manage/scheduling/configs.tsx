// Availability configurations: the weekly windows, listed, added, changed and deleted. Saving answers the API's
// generation report (slots created and removed, booked slots the change affects, overlaps recorded as conflicts),
// which is said in words: a change never drops a booking silently.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState, type FormEvent } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { api, unwrap, type Schemas } from '../../../api.ts';
import { SelectField } from '../../../components/controls.tsx';
import { DataTable, features } from '../../../components/data-table.tsx';
import { ProblemMessage } from '../../../components/problem-message.tsx';
import { DateField, NumberInput, TimeField, TimeZoneField } from '../../../components/time-fields.tsx';
import { useT, type HrI18n } from '../../../i18n/i18n.tsx';
import { interviewTypes } from '../../../vocabulary.ts';
import { isoWeekdayName, longDate, slotsInWindow } from './week.ts';

export type Config = Schemas['AvailabilityConfig'];
type Report = Schemas['SlotGenerationReport'];
type LanguageMode = NonNullable<Schemas['SlotSettings']['languageMode']>;

/** "Monday 09:00–12:00", the name a window goes by in buttons and dialogs. */
export function windowName(i18n: Pick<HrI18n, 'locale'>, config: Pick<Config, 'weekday' | 'startTime' | 'endTime'>) {
  // The times are isolated left to right (U+2066 … U+2069): inside an Arabic sentence the range would otherwise
  // read end first.
  return `${isoWeekdayName(i18n.locale, config.weekday)} \u2066${config.startTime}–${config.endTime}\u2069`;
}

const column = createColumnHelper<typeof features, Config>();

export function ConfigTable({
  configs,
  busy,
  onEdit,
  onDelete,
}: {
  configs: Config[] | undefined;
  busy: boolean;
  onEdit: (config: Config) => void;
  onDelete: (config: Config) => void;
}) {
  const i18n = useT();
  const { t } = i18n;
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('weekday', {
          header: () => t('sched.configs.day'),
          cell: (info) => isoWeekdayName(i18n.locale, info.getValue()),
        }),
        column.accessor('startTime', {
          header: () => t('sched.configs.window'),
          cell: (info) => (
            <bdi dir="ltr" className="hr-nowrap">
              {info.row.original.startTime}–{info.row.original.endTime}
            </bdi>
          ),
        }),
        column.accessor('slotMinutes', {
          header: () => t('sched.configs.slots'),
          cell: (info) =>
            info.row.original.breakMinutes
              ? t('sched.configs.slotsValue', { minutes: info.getValue(), break: info.row.original.breakMinutes })
              : t('sched.configs.slotsNoBreak', { minutes: info.getValue() }),
        }),
        column.accessor('capacity', { header: () => t('sched.configs.capacity'), cell: (info) => info.getValue() }),
        column.accessor('interviewType', {
          header: () => t('sched.configs.type'),
          cell: (info) => t(`type.${info.getValue()}`),
        }),
        column.accessor('validFrom', {
          header: () => t('sched.configs.valid'),
          cell: (info) => {
            const { validFrom, validUntil } = info.row.original;
            const from = longDate(i18n.locale, validFrom);
            return validUntil
              ? t('sched.configs.validRange', { from, until: longDate(i18n.locale, validUntil) })
              : t('sched.configs.validFrom', { from });
          },
        }),
        column.accessor('timezone', {
          header: () => t('sched.configs.zone'),
          cell: (info) => <bdi dir="ltr">{info.getValue()}</bdi>,
        }),
        column.display({
          id: 'actions',
          header: () => t('sched.configs.actions'),
          cell: (info) => {
            const name = windowName(i18n, info.row.original);
            return (
              <span className="hr-inline">
                <Button
                  className="hr-button hr-small-button"
                  aria-label={t('sched.configs.editN', { window: name })}
                  onPress={() => onEdit(info.row.original)}
                >
                  {t('sched.configs.edit')}
                </Button>
                <Button
                  className="hr-button hr-quiet hr-small-button"
                  aria-label={t('sched.configs.deleteN', { window: name })}
                  onPress={() => onDelete(info.row.original)}
                >
                  {t('sched.configs.delete')}
                </Button>
              </span>
            );
          },
        }),
      ]),
    [t, i18n, onEdit, onDelete],
  );
  return (
    <DataTable
      caption={t('sched.configs.caption')}
      columns={columns}
      rows={configs}
      busy={busy}
      rowKey={(c) => c.id}
      empty={t('sched.configs.none')}
    />
  );
}

interface Draft {
  interviewType: Schemas['InterviewType'];
  weekday: number;
  startTime: string;
  endTime: string;
  slotMinutes: number | null;
  breakMinutes: number | null;
  capacity: number | null;
  validFrom: string;
  validUntil: string;
  timezone: string;
  language: string;
  languageMode: LanguageMode;
  maxDurationMinutes: number | null;
  instructions: string;
}

function draftOf(config: Config | null, defaults: { timezone: string; today: string }): Draft {
  if (!config) {
    return {
      interviewType: 'TECHNICAL',
      weekday: 1,
      startTime: '09:00',
      endTime: '12:00',
      slotMinutes: 30,
      breakMinutes: 0,
      capacity: 1,
      validFrom: defaults.today,
      validUntil: '',
      timezone: defaults.timezone,
      language: '',
      languageMode: 'fixed',
      maxDurationMinutes: null,
      instructions: '',
    };
  }
  return {
    interviewType: config.interviewType,
    weekday: config.weekday,
    startTime: config.startTime,
    endTime: config.endTime,
    slotMinutes: config.slotMinutes,
    breakMinutes: config.breakMinutes,
    capacity: config.capacity,
    validFrom: config.validFrom,
    validUntil: config.validUntil ?? '',
    timezone: config.timezone,
    language: config.settings.language ?? '',
    languageMode: config.settings.languageMode ?? 'fixed',
    maxDurationMinutes: config.settings.maxDurationMinutes ?? null,
    instructions: config.settings.instructions ?? '',
  };
}

/** The report in words: what was created and removed, and what needs HR now. */
export function reportMessage(t: HrI18n['t'], report: Report): string {
  const parts = [t('sched.report.saved', { created: report.created, removed: report.removed })];
  if (report.affectedBookedSlots.length)
    parts.push(t('sched.report.affected', { n: report.affectedBookedSlots.length }));
  if (report.overlapConflicts) parts.push(t('sched.report.overlaps'));
  return parts.join(' ');
}

/** `editing`: 'new', a configuration to change, or null (closed). */
export function ConfigDialog({
  editing,
  defaults,
  onClose,
  onSaved,
}: {
  editing: Config | 'new' | null;
  defaults: { timezone: string; today: string };
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  return (
    <ModalOverlay
      className="hr-modal-overlay"
      isDismissable
      isOpen={editing !== null}
      onOpenChange={(open) => !open && onClose()}
    >
      <Modal className="hr-modal hr-modal-wide hr-config-modal">
        <Dialog className="hr-dialog">
          {editing !== null && (
            <ConfigForm
              key={editing === 'new' ? 'new' : editing.id}
              config={editing === 'new' ? null : editing}
              defaults={defaults}
              onClose={onClose}
              onSaved={onSaved}
            />
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

function ConfigForm({
  config,
  defaults,
  onClose,
  onSaved,
}: {
  config: Config | null;
  defaults: { timezone: string; today: string };
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const i18n = useT();
  const { t } = i18n;
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => draftOf(config, defaults));
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  const save = useMutation({
    mutationFn: () => {
      const body = {
        interviewType: draft.interviewType,
        weekday: draft.weekday,
        startTime: draft.startTime,
        // The time field shows midnight as 00:00; as an end it means the end of the day.
        endTime: draft.endTime === '00:00' ? '24:00' : draft.endTime,
        slotMinutes: draft.slotMinutes ?? 0,
        breakMinutes: draft.breakMinutes ?? 0,
        capacity: draft.capacity ?? 0,
        validFrom: draft.validFrom,
        validUntil: draft.validUntil || null,
        timezone: draft.timezone,
        settings: {
          ...(draft.language ? { language: draft.language } : {}),
          ...(draft.languageMode === 'candidate' ? { languageMode: draft.languageMode } : {}),
          ...(draft.maxDurationMinutes ? { maxDurationMinutes: draft.maxDurationMinutes } : {}),
          ...(draft.instructions.trim() ? { instructions: draft.instructions.trim() } : {}),
        },
      };
      return config
        ? unwrap(api.PUT('/v1/scheduling/configs/{id}', { params: { path: { id: config.id } }, body }))
        : unwrap(api.POST('/v1/scheduling/configs', { body }));
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ['scheduling'] });
      onSaved(reportMessage(t, saved.generation));
    },
  });
  const perWeek = slotsInWindow(
    draft.startTime,
    draft.endTime === '00:00' ? '24:00' : draft.endTime,
    draft.slotMinutes ?? 0,
    draft.breakMinutes ?? 0,
  );
  const missing =
    !draft.startTime || !draft.endTime || !draft.validFrom || !draft.timezone || !draft.slotMinutes || !draft.capacity;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!missing) save.mutate();
  };
  return (
    <form className="hr-form" onSubmit={submit}>
      <Heading slot="title">{config ? t('sched.form.edit') : t('sched.form.new')}</Heading>
      <div className="hr-config-grid">
        <SelectField
          label={t('sched.form.type')}
          value={draft.interviewType}
          onChange={(value) => set('interviewType')(value as Schemas['InterviewType'])}
          options={interviewTypes.map((value) => ({ id: value, label: t(`type.${value}`) }))}
        />
        <SelectField
          label={t('sched.form.weekday')}
          value={String(draft.weekday)}
          onChange={(value) => set('weekday')(Number(value))}
          options={[1, 2, 3, 4, 5, 6, 7].map((day) => ({ id: String(day), label: isoWeekdayName(i18n.locale, day) }))}
        />
        <TimeField label={t('sched.form.start')} value={draft.startTime} onChange={set('startTime')} />
        <TimeField label={t('sched.form.end')} value={draft.endTime} onChange={set('endTime')} />
        <NumberInput
          label={t('sched.form.slotMinutes')}
          value={draft.slotMinutes}
          onChange={set('slotMinutes')}
          min={5}
          max={480}
          step={5}
        />
        <NumberInput
          label={t('sched.form.breakMinutes')}
          value={draft.breakMinutes}
          onChange={set('breakMinutes')}
          min={0}
          max={240}
          step={5}
        />
        <NumberInput
          label={t('sched.form.capacity')}
          value={draft.capacity}
          onChange={set('capacity')}
          min={1}
          max={1000}
          description={t('sched.form.capacityHint')}
        />
        <TimeZoneField label={t('sched.form.timezone')} value={draft.timezone} onChange={set('timezone')} />
        <DateField label={t('sched.form.validFrom')} value={draft.validFrom} onChange={set('validFrom')} />
        <DateField label={t('sched.form.validUntil')} value={draft.validUntil} onChange={set('validUntil')} />
        <SelectField
          label={t('sched.form.languageMode')}
          value={draft.languageMode}
          onChange={(value) => set('languageMode')(value as LanguageMode)}
          options={[
            { id: 'fixed', label: t('sched.form.modeFixed') },
            { id: 'candidate', label: t('sched.form.modeCandidate') },
          ]}
          description={draft.languageMode === 'candidate' ? t('sched.form.modeCandidateHint') : undefined}
        />
        <SelectField
          label={draft.languageMode === 'candidate' ? t('sched.form.startLanguage') : t('sched.form.language')}
          value={draft.language}
          onChange={set('language')}
          options={[
            { id: '', label: t('sched.form.jobLanguage') },
            { id: 'en', label: t('language.en') },
            { id: 'ar', label: t('language.ar') },
          ]}
        />
        <NumberInput
          label={t('sched.form.maxDuration')}
          value={draft.maxDurationMinutes}
          onChange={set('maxDurationMinutes')}
          min={5}
          max={240}
          step={5}
          description={t('sched.form.maxDurationHint')}
        />
      </div>
      <div className="hr-field">
        <label htmlFor="config-instructions">{t('sched.form.instructions')}</label>
        <textarea
          id="config-instructions"
          className="hr-textarea hr-short-textarea"
          maxLength={5000}
          value={draft.instructions}
          onChange={(event) => set('instructions')(event.target.value)}
        />
      </div>
      <p className="hr-hint" role="status">
        {perWeek > 0 ? t('sched.form.preview', { n: perWeek }) : t('sched.form.previewNone')}
        {config && ` ${t('sched.form.editWarning')}`}
      </p>
      <ProblemMessage error={save.error} />
      <div className="hr-dialog-actions">
        <Button className="hr-button hr-quiet" onPress={onClose}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" className="hr-button hr-primary" isDisabled={missing || save.isPending}>
          {save.isPending ? t('common.saving') : config ? t('sched.form.save') : t('sched.form.create')}
        </Button>
      </div>
    </form>
  );
}

export function DeleteConfigDialog({
  config,
  onClose,
  onDeleted,
}: {
  config: Config | null;
  onClose: () => void;
  onDeleted: (message: string) => void;
}) {
  const i18n = useT();
  const { t } = i18n;
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/scheduling/configs/{id}', { params: { path: { id } } })),
    onSuccess: (report) => {
      void queryClient.invalidateQueries({ queryKey: ['scheduling'] });
      const parts = [t('sched.delete.done', { removed: report.removed })];
      if (report.affectedBookedSlots.length)
        parts.push(t('sched.report.affected', { n: report.affectedBookedSlots.length }));
      onDeleted(parts.join(' '));
    },
  });
  return (
    <ModalOverlay
      className="hr-modal-overlay"
      isDismissable
      isOpen={config !== null}
      onOpenChange={(open) => {
        if (!open) {
          remove.reset();
          onClose();
        }
      }}
    >
      <Modal className="hr-modal">
        <Dialog className="hr-dialog" role="alertdialog">
          {config && (
            <>
              <Heading slot="title">{t('sched.delete.title', { window: windowName(i18n, config) })}</Heading>
              <p>{t('sched.delete.body')}</p>
              <ProblemMessage error={remove.error} />
              <div className="hr-dialog-actions">
                <Button className="hr-button hr-quiet" onPress={onClose}>
                  {t('sched.keep')}
                </Button>
                <Button
                  className="hr-button hr-primary"
                  isDisabled={remove.isPending}
                  onPress={() => remove.mutate(config.id)}
                >
                  {t('sched.delete.confirm')}
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
