import type { dataRightsEn } from './data-rights.en.ts';

// Arabic strings for the candidate's data rights in the workspace (right to left); the same keys as data-rights.en.ts.
export const dataRightsAr: Record<keyof typeof dataRightsEn, string> = {
  'alternative.title': 'طلب المرشّح طريقة أخرى للمقابلة',
  'alternative.requested': 'طُلب في {when}.',
  'alternative.reason': 'السبب الذي ذكره',
  'alternative.contact': 'طريقة التواصل التي يفضّلها',
  'alternative.none': 'لم يُذكر',
  'alternative.nothingCancelled':
    'لم يُلغَ شيء: تبقى المقابلة كما هي. رتّب البديل (ألغِ المقابلة أو انقلها، أو مكالمة مع شخص)، ثم علّم الطلب بأنه عولج.',
  'alternative.markHandled': 'علّم بأنه عولج',
  'alternative.handledBy': 'عالجه {who} في {when}.',
  'alternative.apiKey': 'مفتاح واجهة برمجية',
  'alternative.badge.open': 'طلب طريقة أخرى',
  'alternative.badge.handled': 'عولج طلب البديل',
  'alternative.filter': 'طلب طريقة أخرى',
  'alternative.filterAll': 'كل المقابلات',
  'alternative.filterOpen': 'طُلب ولم يُعالج',
  'alternative.filterHandled': 'طُلب وعولج',
  'alternative.filterAny': 'طُلب (أيّاً كان)',

  'settings.privacyNotice': 'إشعار الخصوصية (رابط)',
  'settings.privacyNoticeHint':
    'عنوان يبدأ بـ https://. يراه المرشّحون رابطاً في الإشعار على صفحة الانضمام قبل أن ينضمّوا. اتركه فارغاً إن لم يوجد.',
  'settings.privacyNoticeInvalid': 'أدخل عنواناً كاملاً لصفحة عامة يبدأ بـ https://، مثل https://example.com/privacy.',

  'review.candidatePage': 'سجل المرشّح',
  'candidate.erasedTitle': 'مرشّح محذوف',
  'candidate.email': 'البريد الإلكتروني',
  'candidate.phone': 'الهاتف',
  'candidate.created': 'أُضيف',
  'candidate.interviews': 'المقابلات',
  'candidate.noInterviews': 'لا مقابلات.',
  'candidate.rights': 'حقوق البيانات',
  'candidate.rightsHint':
    'التصدير يعطي المرشّح كل ما يُحفظ عنه في أرشيف واحد. الحذف يزيل بياناته الشخصية من كل مقابلة وتسجيل ورسالة نهائياً.',
  'candidate.rightsAdminOnly': 'يصدّر المسؤول بيانات المرشّح أو يحذفها.',
  'candidate.export': 'صدّر البيانات',
  'candidate.erase': 'احذف المرشّح',
  'candidate.eraseTitle': 'حذف {name}؟',
  'candidate.eraseBody':
    'يُحذف اسمه وهاتفه وبريده وسيرته الذاتية ونصوص مقابلاته وتسجيلاته وشيفرته وملاحظات بطاقات التقييم ورسائله، وتُنهى أي مقابلة جارية. لا يمكن التراجع عن ذلك. يحتفظ سجل التدقيق بمن حذف ومتى.',
  'candidate.eraseConfirm': 'اكتب «{name}» للتأكيد',
  'candidate.eraseConfirmHint': 'لا فرق بين الأحرف الكبيرة والصغيرة.',
  'candidate.eraseSubmit': 'احذف نهائياً',
  'candidate.erasing': 'جارٍ الحذف…',
  'candidate.erasure.pending': 'طُلب الحذف؛ يبدأ بعد لحظات.',
  'candidate.erasure.running': 'جارٍ الحذف: اكتملت {done} من {total} خطوات.',
  'candidate.erasureCompleted': 'حُذف في {when}. لم يبقَ شيء شخصي.',
};
