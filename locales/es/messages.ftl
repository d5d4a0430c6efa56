# Messages to families, in neutral Spanish (Spain and Latin America), in plain words. Variables:
#   $group      the group's title, e.g. "Together Time — Tuesday mornings" (usually in English,
#               so it always follows "el grupo", "en el grupo", "del grupo")
#   $programme  the programme's name, e.g. "Circle of Security Parenting"
#   $venue      the venue's name
#   $date       a session's date, already written in Spanish (e.g. "martes, 3 de marzo de 2027");
#               it starts with the weekday, so "el { $date }" reads "el martes, 3 de marzo de 2027"
#   $start/$end a session's start and end times (e.g. "10:00")
#   $position   place on the waiting list (1 = next)
#   $count      a number of children
#   $reason     the centre's own note, as the centre wrote it (not translated)
#   $link       a link to the family's bookings
# Register: "tú" throughout (never "usted", never "vosotros"); words understood on both sides
# of the Atlantic ("lugar" rather than "plaza", "teléfono", "inscripción" for a booking).
# "untranslated-check" in en is left out on purpose: it shows that a missing message falls back to English.
# Keep every message short and kind: many families reading these are tired, anxious or reading
# in their second language.

greeting = Hola:
sign-off = Un saludo cordial del equipo de { $venue }

confirm-address = Confirma que este es tu correo abriendo este enlace (funciona una sola vez, durante una semana): { $confirm } Hasta entonces, no te enviaremos recordatorios por correo.

## Booking confirmed
booking-confirmed-subject = Tu lugar en el grupo { $group } está reservado
booking-confirmed-intro = ¡Buenas noticias! Tu lugar en el grupo { $group } está reservado. Tenemos muchas ganas de conocerte.
booking-confirmed-sms = ¡Ya tienes lugar en el grupo { $group }! 1.ª sesión: { $date }, a las { $start }. { $link }

## Waiting list
booking-waitlisted-subject = Estás en la lista de espera del grupo { $group }
booking-waitlisted-intro = El grupo { $group } está lleno por ahora, así que te hemos puesto en la lista de espera. Tienes el número { $position } de la lista.
booking-waitlisted-next = Si queda un lugar libre, será para ti y te avisaremos enseguida. No tienes que hacer nada.
booking-waitlisted-sms = El grupo { $group } está lleno. Tienes el número { $position } en la lista de espera. Te avisamos si hay lugar. { $link }

## A place came up
booking-promoted-subject = Buenas noticias: ya tienes lugar en el grupo { $group }
booking-promoted-intro = Ha quedado un lugar libre en el grupo { $group } y ahora es tuyo. Tu inscripción está confirmada.
booking-promoted-sms = ¡Hay un lugar para ti en el grupo { $group }! 1.ª sesión: { $date }, a las { $start }. { $link }

## Booking cancelled
booking-cancelled-subject = Tu inscripción en el grupo { $group } está cancelada
booking-cancelled-intro = Como nos pediste, hemos cancelado tu lugar en el grupo { $group }.
booking-cancelled-by-centre-intro = Lo sentimos: el centro ha cancelado tu lugar en el grupo { $group }. Si no te lo esperabas, ponte en contacto con nosotros, por favor.
booking-cancelled-next = Puedes volver a inscribirte en un grupo siempre que quieras.
booking-cancelled-sms = Tu lugar en el grupo { $group } se ha cancelado. { $link }

## A session moved
session-moved-subject = { $group }: una sesión cambia de horario
session-moved-intro = Una de tus sesiones del grupo { $group } ha cambiado de horario.
session-moved-was = Estaba prevista para el { $date }, a las { $start }.
session-moved-now = Ahora es el { $date }, de { $start } a { $end }.
session-moved-sms = { $group }: una sesión pasa al { $date }, a las { $start }. { $link }

## A session cancelled
session-cancelled-subject = { $group }: no hay sesión el { $date }
session-cancelled-intro = Lo sentimos: no habrá sesión del grupo { $group } el { $date }.
session-cancelled-sms = { $group }: no hay sesión el { $date }. { $link }

## The group cancelled
group-cancelled-subject = El grupo { $group } se cancela
group-cancelled-intro = Lo sentimos mucho: el grupo { $group } se cancela y hemos cancelado tu inscripción.
group-cancelled-next = Nos encantaría verte en otro grupo. Pregúntanos o mira qué grupos hay próximamente.
group-cancelled-sms = Lo sentimos: el grupo { $group } se cancela. { $link }

## Reminder
reminder-subject = Recordatorio: { $group }, el { $date }, a las { $start }
reminder-intro = Te recordamos tu sesión del grupo { $group }: el { $date }, de { $start } a { $end }.
reminder-cannot-come = Si no puedes venir, no pasa nada: avísanos, por favor. Te esperamos la semana siguiente.
reminder-opt-out = Puedes desactivar estos recordatorios en tu perfil.
reminder-sms = Recordatorio: { $group }, el { $date }, a las { $start }, { $venue }. { $link }

## To the group's team
team-group-cancelled-subject = El grupo { $group } se ha cancelado
team-group-cancelled-intro = El grupo { $group } en { $venue } se ha cancelado y no se va a realizar. Ya no te necesitamos en las sesiones que quedaban.
team-group-cancelled-sms = El grupo { $group } en { $venue } se ha cancelado y no se va a realizar.
team-session-moved-subject = { $group }: cambia de horario una sesión en la que trabajas
team-session-moved-intro = Una sesión del grupo { $group } en la que trabajas ha cambiado de horario.
team-session-moved-sms = { $group }: una sesión pasa al { $date }, a las { $start }.
team-session-cancelled-subject = { $group }: no hay sesión el { $date }
team-session-cancelled-intro = No habrá sesión del grupo { $group } el { $date }, así que ese día no te necesitamos.
team-session-cancelled-sms = { $group }: no hay sesión el { $date }.
team-families-told = Ya se ha avisado a las familias.

## Parts of several messages
reason = Nota del centro: { $reason }
sessions-heading = Tus sesiones:
session-line = { $date }, de { $start } a { $end }
session-line-cancelled = { $date }: no hay sesión
where = Dónde: { $venue }
creche-booked = { $count ->
    [one] Hemos reservado un lugar en la guardería para tu hijo o hija.
   *[other] Hemos reservado { $count } lugares en la guardería para tus hijos.
}
creche-bring = Por favor, trae lo que tu hijo o hija necesite en la guardería, como pañales, algo de beber y su peluche o mantita preferida.
calendar-attached = Te enviamos las sesiones en un archivo de calendario adjunto. Así puedes añadirlas al calendario de tu teléfono o computadora.
calendar-updated = El archivo de calendario adjunto actualiza las sesiones que ya tienes en tu calendario.
see-bookings = Consulta tus inscripciones: { $link }
see-bookings-link = Consulta tus inscripciones

## Cuentas: enlaces y avisos
account-sign-off = Un saludo cordial del equipo del centro infantil
account-link-valid-hours = { $hours ->
    [one] El enlace funciona una sola vez, durante una hora.
   *[other] El enlace funciona una sola vez, durante { $hours } horas.
}
account-link-valid-days = { $days ->
    [one] El enlace funciona una sola vez, durante un día.
   *[other] El enlace funciona una sola vez, durante { $days } días.
}
account-not-you = Si no lo has pedido tú, puedes ignorar este correo: no cambiará nada.
account-confirm-email-subject = Te damos la bienvenida: confirma tu correo electrónico
account-confirm-email-intro = ¡Bienvenida o bienvenido! Tu cuenta está lista y ya puedes reservar un grupo.
account-confirm-email-ask = Abre el enlace de abajo para confirmarnos que este es tu correo. Hasta entonces, no te enviaremos recordatorios por correo.
account-confirm-email-action = Confirmar mi correo
account-confirm-email-sms = Confirma el correo de tu cuenta del centro infantil: { $link }
account-invitation-subject = Ya puedes ver en línea las reservas de tu familia
account-invitation-intro = El centro infantil ha puesto los datos y las reservas de tu familia en su servicio de reservas. Ahora puedes verlos en línea y reservar grupos tú misma o tú mismo.
account-invitation-ask = Abre el enlace de abajo para elegir una contraseña. Después verás las reservas que el centro hizo por ti. Si prefieres no hacerlo, no pasa nada: el centro puede seguir reservando por ti.
account-invitation-action = Elegir mi contraseña
account-invitation-sms = El centro infantil te invita a ver tus reservas en línea: { $link }
account-password-reset-subject = Elige una contraseña nueva
account-password-reset-intro = Alguien, seguramente tú, ha pedido cambiar la contraseña de tu cuenta del centro infantil.
account-password-reset-ask = Abre el enlace de abajo para elegir una contraseña nueva. Cuando lo hagas, se cerrará la sesión en tus otros dispositivos.
account-password-reset-action = Elegir una contraseña nueva
account-password-reset-sms = Para elegir una contraseña nueva para tu cuenta del centro infantil: { $link }
account-email-change-subject = Confirma tu nuevo correo electrónico
account-email-change-intro = Has pedido usar este correo para tu cuenta del centro infantil.
account-email-change-ask = Abre el enlace de abajo para confirmarlo. Hasta entonces, tu cuenta sigue con el correo anterior.
account-email-change-action = Confirmar mi nuevo correo
account-email-change-sms = Para confirmar tu nuevo correo: { $link }
account-email-changed-subject = Tu correo electrónico ha cambiado
account-email-changed-intro = El correo de tu cuenta del centro infantil ahora es { $email }. A partir de ahora te escribiremos a ese correo.
account-email-changed-ask = Si no has hecho tú este cambio, llama al centro cuanto antes.
account-email-changed-sms = El correo de tu cuenta del centro infantil ha cambiado. Si no has sido tú, llama al centro.
account-password-changed-subject = Tu contraseña ha cambiado
account-password-changed-intro = La contraseña de tu cuenta del centro infantil ha cambiado y se ha cerrado la sesión en tus otros dispositivos.
account-password-changed-ask = Si no has hecho tú este cambio, elige ahora una contraseña nueva con "¿Has olvidado tu contraseña?" o llama al centro.
account-password-changed-sms = La contraseña de tu cuenta del centro infantil ha cambiado. Si no has sido tú, llama al centro.

## Algo pasó en la guardería ($child el nombre del niño o la niña, $date y $time cuándo, $what qué
## pasó y $first_aid los primeros auxilios, tal como los escribió el equipo de la guardería)
creche-incident-subject = Una nota de la guardería sobre { $child }
creche-incident-intro = Te escribimos para contarte algo que le pasó a { $child } en la guardería durante el grupo { $group }, el { $date }, a las { $time }.
creche-incident-what = Qué pasó: { $what }
creche-incident-first-aid = Primeros auxilios que se le dieron: { $first_aid }
creche-incident-no-first-aid = No se le dieron primeros auxilios.
creche-incident-ask = Si tienes alguna pregunta, o más tarde notas algo que te preocupe, habla con el equipo de la guardería o llama al centro.
creche-incident-see = Puedes leer esta nota en tu cuenta y decirnos allí que la has visto: { $link }
creche-incident-see-link = Leer en mi cuenta
creche-incident-sms = { $group }: la guardería te ha escrito sobre tu hijo o hija ({ $date }). Léelo en tu cuenta: { $link }
