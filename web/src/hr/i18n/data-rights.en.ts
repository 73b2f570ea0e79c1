// The candidate's data rights in the workspace (the alternative process, the privacy notice setting, a candidate's
// export and erasure), spread into en.ts; data-rights.ar.ts has the same keys.
export const dataRightsEn = {
  'alternative.title': 'The candidate asked for another way to be interviewed',
  'alternative.requested': 'Asked {when}.',
  'alternative.reason': 'Their reason',
  'alternative.contact': 'How they prefer to be contacted',
  'alternative.none': 'Not given',
  'alternative.nothingCancelled':
    'Nothing was cancelled: the interview stays as it is. Arrange the alternative (cancel or move the interview, a call with a person), then mark the request handled.',
  'alternative.markHandled': 'Mark as handled',
  'alternative.handledBy': 'Handled by {who}, {when}.',
  'alternative.apiKey': 'an API key',
  'alternative.badge.open': 'Asked for another way',
  'alternative.badge.handled': 'Alternative handled',
  'alternative.filter': 'Another way asked',
  'alternative.filterAll': 'All interviews',
  'alternative.filterOpen': 'Asked, not handled',
  'alternative.filterHandled': 'Asked, handled',
  'alternative.filterAny': 'Asked (either)',

  'settings.privacyNotice': 'Privacy notice (link)',
  'settings.privacyNoticeHint':
    'An https:// address. Candidates see it as a link in the notice on the join page, before they join. Leave empty for none.',
  'settings.privacyNoticeInvalid': 'Enter a full https:// address of a public page, for example https://example.com/privacy.',

  'review.candidatePage': 'Candidate record',
  'candidate.erasedTitle': 'Erased candidate',
  'candidate.email': 'E-mail',
  'candidate.phone': 'Phone',
  'candidate.created': 'Added',
  'candidate.interviews': 'Interviews',
  'candidate.noInterviews': 'No interviews.',
  'candidate.rights': 'Data rights',
  'candidate.rightsHint':
    'Export gives the candidate everything kept about them, in one archive. Erase removes their personal data from every interview, recording and message, for good.',
  'candidate.rightsAdminOnly': 'An admin exports or erases a candidate’s data.',
  'candidate.export': 'Export data',
  'candidate.erase': 'Erase candidate',
  'candidate.eraseTitle': 'Erase {name}?',
  'candidate.eraseBody':
    'Their name, phone, e-mail, résumé, transcripts, recordings, code, scorecard notes and messages are deleted, and an interview in progress is ended. This cannot be undone. The audit log keeps who erased and when.',
  'candidate.eraseConfirm': 'Type “{name}” to confirm',
  'candidate.eraseConfirmHint': 'Upper and lower case do not matter.',
  'candidate.eraseSubmit': 'Erase for good',
  'candidate.erasing': 'Erasing…',
  'candidate.erasure.pending': 'Erasure requested; it starts in a moment.',
  'candidate.erasure.running': 'Erasing: {done} of {total} steps done.',
  'candidate.erasureCompleted': 'Erased {when}. Nothing personal is left.',
} as const;
