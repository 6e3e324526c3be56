'use strict';
// Spanish UI with English available: texts live here, keyed; elements carry data-i18n.
// The choice is kept in localStorage and <html lang> follows it.
const I18N = {
  es: {
    'login.sub': 'Centro de contacto · encuestas', 'login.user': 'Usuario',
    'login.password': 'Contraseña', 'login.submit': 'Ingresar',
    'login.failed': 'Usuario o contraseña incorrectos', 'error.network': 'Sin conexión con el servidor',
    'lang.other': 'English', 'nav.logout': 'Salir',
    'agent.title': 'Escritorio del agente', 'agent.ready': 'Listo', 'agent.pause': 'Pausa',
    'agent.reason': 'Motivo', 'agent.state': 'Estado', 'agent.campaign': 'Campaña',
    'agent.waiting': 'Esperando contacto…', 'agent.next': 'Pedir contacto',
    'agent.call': 'Llamar', 'agent.contact': 'Contacto', 'agent.name': 'Nombre',
    'agent.municipio': 'Municipio', 'agent.phone': 'Teléfono', 'agent.previous': 'Intentos anteriores',
    'agent.none': 'Ninguno', 'agent.script': 'Guion', 'agent.survey': 'Encuesta',
    'agent.disposition': 'Tipificación', 'agent.callback': 'Volver a llamar el',
    'agent.notes': 'Notas', 'agent.save': 'Guardar y siguiente', 'agent.saved': 'Guardado',
    'agent.required': 'Respuesta obligatoria', 'agent.choose_disposition': 'Elija una tipificación',
    'agent.no_contacts': 'No hay contactos disponibles ahora',
    'agent.waiting_call': 'En espera: la llamada llegará sola',
    'agent.call_failed': 'La llamada terminó sin contacto',
    'agent.phone_failed': 'Su teléfono no contestó: la llamada se perdió y quedó en pausa',
    'agent.call_ended': 'El ciudadano colgó: tipifique',
    'agent.shortcuts': 'Atajos: 1-9 tipificación · Ctrl+Enter guardar · F2 listo · F3 pausa',
    'sup.title': 'Consola del supervisor', 'sup.campaigns': 'Campañas', 'sup.start': 'Iniciar',
    'sup.pause': 'Pausar', 'sup.import': 'Importar base', 'sup.upload': 'Subir',
    'sup.wallboard': 'Tablero en vivo', 'sup.agents': 'Agentes', 'sup.sms': 'Redactor de SMS',
    'sup.downloads': 'Descargas', 'sup.report': 'Informe', 'sup.export': 'Exportación',
    'sup.rejects': 'Descargar rechazados', 'sup.attempts': 'Intentos hoy',
    'sup.contacts': 'Contactos hoy', 'sup.completes': 'Encuestas efectivas hoy',
    'sup.abandon_today': 'Abandono hoy', 'sup.abandon_30': 'Abandono 30 días',
    'sup.lines_per_agent': 'Líneas por agente', 'sup.sms_balance': 'SMS del mes / tope',
    'sup.dispositions': 'Tipificaciones', 'sup.segments': 'segmentos', 'sup.recipients': 'Destinatarios',
    'sup.alternative': 'Alternativa GSM-7', 'sup.use_alternative': 'Usar alternativa',
  },
  en: {
    'login.sub': 'Contact centre · surveys', 'login.user': 'User', 'login.password': 'Password',
    'login.submit': 'Sign in', 'login.failed': 'Wrong user or password',
    'error.network': 'Cannot reach the server', 'lang.other': 'Español', 'nav.logout': 'Sign out',
    'agent.title': 'Agent desktop', 'agent.ready': 'Ready', 'agent.pause': 'Pause',
    'agent.reason': 'Reason', 'agent.state': 'State', 'agent.campaign': 'Campaign',
    'agent.waiting': 'Waiting for a contact…', 'agent.next': 'Get contact', 'agent.call': 'Call',
    'agent.contact': 'Contact', 'agent.name': 'Name', 'agent.municipio': 'Municipality',
    'agent.phone': 'Phone', 'agent.previous': 'Previous attempts', 'agent.none': 'None',
    'agent.script': 'Script', 'agent.survey': 'Survey', 'agent.disposition': 'Disposition',
    'agent.callback': 'Call back on', 'agent.notes': 'Notes', 'agent.save': 'Save and next',
    'agent.saved': 'Saved', 'agent.required': 'Answer required',
    'agent.choose_disposition': 'Choose a disposition',
    'agent.no_contacts': 'No contacts available now',
    'agent.waiting_call': 'Waiting: the call will arrive by itself',
    'agent.call_failed': 'The call ended without contact',
    'agent.phone_failed': 'Your phone did not answer: the call was lost and you are paused',
    'agent.call_ended': 'The citizen hung up: set the disposition',
    'agent.shortcuts': 'Shortcuts: 1-9 disposition · Ctrl+Enter save · F2 ready · F3 pause',
    'sup.title': 'Supervisor console', 'sup.campaigns': 'Campaigns', 'sup.start': 'Start',
    'sup.pause': 'Pause', 'sup.import': 'Import a base', 'sup.upload': 'Upload',
    'sup.wallboard': 'Live wallboard', 'sup.agents': 'Agents', 'sup.sms': 'SMS composer',
    'sup.downloads': 'Downloads', 'sup.report': 'Report', 'sup.export': 'Export',
    'sup.rejects': 'Download rejects', 'sup.attempts': 'Attempts today',
    'sup.contacts': 'Contacts today', 'sup.completes': 'Completes today',
    'sup.abandon_today': 'Abandon today', 'sup.abandon_30': 'Abandon 30 days',
    'sup.lines_per_agent': 'Lines per agent', 'sup.sms_balance': 'SMS this month / cap',
    'sup.dispositions': 'Dispositions', 'sup.segments': 'segments', 'sup.recipients': 'Recipients',
    'sup.alternative': 'GSM-7 alternative', 'sup.use_alternative': 'Use alternative',
  },
};
let LANG = localStorage.getItem('sondeo.lang') === 'en' ? 'en' : 'es';
function T(key) { return (I18N[LANG] && I18N[LANG][key]) || I18N.es[key] || key; }
function applyI18n() {
  document.documentElement.lang = LANG;
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = T(el.dataset.i18n); });
  const toggle = document.getElementById('lang-toggle');
  if (toggle) toggle.textContent = T('lang.other');
}
document.addEventListener('DOMContentLoaded', () => {
  applyI18n();
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    toggle.addEventListener('click', (ev) => {
      ev.preventDefault();
      LANG = LANG === 'es' ? 'en' : 'es';
      localStorage.setItem('sondeo.lang', LANG);
      applyI18n();
    });
  }
});
