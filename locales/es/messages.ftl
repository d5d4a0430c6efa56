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
