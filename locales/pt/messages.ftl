# Messages to families, in European Portuguese (Portugal and Madeira), in plain words. Variables:
#   $group      the group's title, e.g. "Together Time — Tuesday mornings" (usually in English,
#               so it always follows "o grupo", "no grupo", "do grupo")
#   $programme  the programme's name, e.g. "Circle of Security Parenting"
#   $venue      the venue's name
#   $date       a session's date, already written in Portuguese (e.g. "terça-feira, 3 de março de 2027");
#               it starts with the weekday, so it follows "marcada para", "de", ":" or a comma,
#               never "na"/"no" (the weekday's gender varies)
#   $start/$end a session's start and end times (e.g. "10:00")
#   $position   place on the waiting list (1 = next)
#   $count      a number of children
#   $reason     the centre's own note, as the centre wrote it (not translated)
#   $link       a link to the family's bookings
# Register: polite third person ("o seu", "pode", "traga") without "você"; words that would need
# a gender ("bem-vindo/a", "conhecê-lo/a") are avoided. "Booking" is "inscrição".
# "untranslated-check" in en is left out on purpose: it shows that a missing message falls back to English.
# Keep every message short and kind: many families reading these are tired, anxious or reading
# in their second language.

greeting = Olá,
sign-off = Com os melhores cumprimentos da equipa de { $venue }

confirm-address = Confirme que este é o seu endereço de email abrindo esta ligação (só funciona uma vez, durante uma semana): { $confirm } Até o fazer, não lhe enviamos lembretes por email.

## Booking confirmed
booking-confirmed-subject = O seu lugar no grupo { $group } está reservado
booking-confirmed-intro = Boas notícias: o seu lugar no grupo { $group } está reservado. Estamos ansiosos por vos conhecer.
booking-confirmed-sms = Lugar reservado no grupo { $group }. 1.ª sessão: { $date }, às { $start }. { $link }

## Waiting list
booking-waitlisted-subject = Está na lista de espera do grupo { $group }
booking-waitlisted-intro = O grupo { $group } está cheio de momento, por isso pusemos o seu nome na lista de espera. É o número { $position } da lista.
booking-waitlisted-next = Se surgir uma vaga, fica para si e avisamos logo. Não precisa de fazer nada.
booking-waitlisted-sms = O grupo { $group } está cheio. É o número { $position } da lista de espera. Avisamos se surgir uma vaga. { $link }

## A place came up
booking-promoted-subject = Boas notícias: há um lugar para si no grupo { $group }
booking-promoted-intro = Surgiu uma vaga no grupo { $group } e o lugar agora é seu. A sua inscrição está confirmada.
booking-promoted-sms = Boas notícias: tem vaga no grupo { $group }. 1.ª sessão: { $date }, às { $start }. { $link }

## Booking cancelled
booking-cancelled-subject = A sua inscrição no grupo { $group } foi cancelada
booking-cancelled-intro = Como pediu, cancelámos o seu lugar no grupo { $group }.
booking-cancelled-by-centre-intro = Lamentamos: o centro cancelou o seu lugar no grupo { $group }. Se não estava à espera disto, fale connosco, por favor.
booking-cancelled-next = Pode voltar a inscrever-se num grupo sempre que quiser.
booking-cancelled-sms = O seu lugar no grupo { $group } foi cancelado. { $link }

## A session moved
session-moved-subject = { $group }: uma sessão mudou de horário
session-moved-intro = Uma das suas sessões do grupo { $group } mudou de horário.
session-moved-was = Estava marcada para { $date }, às { $start }.
session-moved-now = Agora é { $date }, das { $start } às { $end }.
session-moved-sms = { $group }: uma sessão mudou para { $date }, às { $start }. { $link }

## A session cancelled
session-cancelled-subject = { $group }: cancelada a sessão de { $date }
session-cancelled-intro = Lamentamos: foi cancelada a sessão do grupo { $group } marcada para { $date }.
session-cancelled-sms = { $group }: foi cancelada a sessão de { $date }. { $link }

## The group cancelled
group-cancelled-subject = O grupo { $group } não se vai realizar
group-cancelled-intro = Lamentamos muito: o grupo { $group } não se vai realizar e a sua inscrição foi cancelada.
group-cancelled-next = Gostávamos muito de vos ver noutro grupo. Fale connosco ou veja os próximos grupos.
group-cancelled-sms = Lamentamos: o grupo { $group } não se vai realizar. { $link }

## Reminder
reminder-subject = Lembrete: { $group }, { $date }, às { $start }
reminder-intro = Não se esqueça da sua sessão do grupo { $group }: { $date }, das { $start } às { $end }.
reminder-cannot-come = Se não puder vir, não faz mal: avise-nos, por favor. Na semana seguinte, esperamos por si.
reminder-opt-out = Pode desligar estes lembretes no seu perfil.
reminder-sms = Lembrete: { $group }, { $date }, às { $start }, em { $venue }. { $link }

## To the group's team
team-group-cancelled-subject = O grupo { $group } foi cancelado
team-group-cancelled-intro = O grupo { $group } em { $venue } foi cancelado e não se vai realizar. Já não precisamos de si nas sessões que faltavam.
team-group-cancelled-sms = O grupo { $group } em { $venue } foi cancelado e não se vai realizar.
team-session-moved-subject = { $group }: uma sessão em que trabalha mudou de horário
team-session-moved-intro = Uma sessão do grupo { $group } em que trabalha mudou de horário.
team-session-moved-sms = { $group }: uma sessão mudou para { $date }, às { $start }.
team-session-cancelled-subject = { $group }: cancelada a sessão de { $date }
team-session-cancelled-intro = Não vai haver sessão do grupo { $group } em { $date }, por isso não precisamos de si nesse dia.
team-session-cancelled-sms = { $group }: foi cancelada a sessão de { $date }.
team-families-told = As famílias já foram informadas.

## Parts of several messages
reason = Nota do centro: { $reason }
sessions-heading = As suas sessões:
session-line = { $date }, das { $start } às { $end }
session-line-cancelled = { $date }: não há sessão
where = Local: { $venue }
creche-booked = { $count ->
    [one] Reservámos um lugar na creche para o seu filho ou filha.
   *[other] Reservámos { $count } lugares na creche para os seus filhos.
}
creche-bring = Por favor, traga o que for preciso para a criança na creche, como fraldas, algo para beber e o boneco ou a mantinha preferida.
calendar-attached = Enviamos as sessões num ficheiro de calendário em anexo. Pode juntá-las ao calendário do telemóvel ou do computador.
calendar-updated = O ficheiro de calendário em anexo atualiza as sessões que já tem no seu calendário.
see-bookings = Veja as suas inscrições: { $link }
see-bookings-link = Veja as suas inscrições

## Contas: ligações e avisos
account-sign-off = Com os melhores cumprimentos da equipa do centro infantil
account-link-valid-hours = { $hours ->
    [one] A ligação só funciona uma vez, durante uma hora.
   *[other] A ligação só funciona uma vez, durante { $hours } horas.
}
account-link-valid-days = { $days ->
    [one] A ligação só funciona uma vez, durante um dia.
   *[other] A ligação só funciona uma vez, durante { $days } dias.
}
account-not-you = Se não foi o(a) senhor(a) a pedir isto, pode ignorar este email: nada vai mudar.
account-confirm-email-subject = Bem-vindo(a): confirme o seu endereço de email
account-confirm-email-intro = Bem-vindo(a)! A sua conta está pronta e já pode reservar um grupo.
account-confirm-email-ask = Abra a ligação abaixo para nos mostrar que este é o seu endereço de email. Até o fazer, não lhe enviamos lembretes por email.
account-confirm-email-action = Confirmar o meu email
account-confirm-email-sms = Confirme o email da sua conta do centro infantil: { $link }
account-invitation-subject = As reservas da sua família já podem ser vistas online
account-invitation-intro = O centro infantil registou os dados e as reservas da sua família no serviço de reservas. Agora pode vê-los online e reservar grupos.
account-invitation-ask = Abra a ligação abaixo para escolher uma palavra-passe. Depois verá as reservas que o centro fez por si. Se preferir não o fazer, não há problema: o centro continua a fazer as reservas por si.
account-invitation-action = Escolher a minha palavra-passe
account-invitation-sms = O centro infantil convida-o(a) a ver as suas reservas online: { $link }
account-password-reset-subject = Escolha uma nova palavra-passe
account-password-reset-intro = Alguém, provavelmente o(a) senhor(a), pediu para mudar a palavra-passe da sua conta do centro infantil.
account-password-reset-ask = Abra a ligação abaixo para escolher uma nova palavra-passe. Depois disso, a sessão termina nos seus outros aparelhos.
account-password-reset-action = Escolher uma nova palavra-passe
account-password-reset-sms = Para escolher uma nova palavra-passe da sua conta do centro infantil: { $link }
account-email-change-subject = Confirme o seu novo endereço de email
account-email-change-intro = Pediu para usar este endereço de email na sua conta do centro infantil.
account-email-change-ask = Abra a ligação abaixo para o confirmar. Até lá, a sua conta continua com o endereço antigo.
account-email-change-action = Confirmar o meu novo endereço
account-email-change-sms = Para confirmar o seu novo endereço de email: { $link }
account-email-changed-subject = O seu endereço de email mudou
account-email-changed-intro = O endereço de email da sua conta do centro infantil é agora { $email }. A partir de agora escrevemos para esse endereço.
account-email-changed-ask = Se não foi o(a) senhor(a) a fazer esta mudança, telefone ao centro imediatamente.
account-email-changed-sms = O email da sua conta do centro infantil mudou. Se não foi o(a) senhor(a), telefone ao centro.
account-password-changed-subject = A sua palavra-passe mudou
account-password-changed-intro = A palavra-passe da sua conta do centro infantil mudou e a sessão terminou nos seus outros aparelhos.
account-password-changed-ask = Se não foi o(a) senhor(a) a fazer esta mudança, escolha já uma nova palavra-passe em "Esqueceu-se da palavra-passe?" ou telefone ao centro.
account-password-changed-sms = A palavra-passe da sua conta do centro infantil mudou. Se não foi o(a) senhor(a), telefone ao centro.

## Algo aconteceu na creche ($child o primeiro nome da criança, $date e $time quando, $what o que
## aconteceu e $first_aid os primeiros socorros, como a equipa da creche os escreveu)
creche-incident-subject = Uma nota da creche sobre { $child }
creche-incident-intro = Escrevemos para lhe contar algo que aconteceu a { $child } na creche, durante o grupo { $group } ({ $date }, às { $time }).
creche-incident-what = O que aconteceu: { $what }
creche-incident-first-aid = Primeiros socorros prestados: { $first_aid }
creche-incident-no-first-aid = Não foram prestados primeiros socorros.
creche-incident-ask = Se tiver alguma pergunta, ou se mais tarde notar algo que lhe cause preocupação, fale com a equipa da creche ou telefone para o centro.
creche-incident-see = Pode ler esta nota na sua conta e indicar-nos aí que já a viu: { $link }
creche-incident-see-link = Ler na minha conta
creche-incident-sms = { $group }: a creche escreveu-lhe sobre o seu filho ou filha ({ $date }). Leia na sua conta: { $link }
