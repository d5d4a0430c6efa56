# Messages to families, in Polish, in plain words. Variables:
#   $group      the group's title, e.g. "Together Time — Tuesday mornings" (usually in English,
#               so it always follows "grupa", "w grupie", "grupy" and is never inflected)
#   $programme  the programme's name, e.g. "Circle of Security Parenting"
#   $venue      the venue's name
#   $date       a session's date, already written in Polish (e.g. "wtorek, 3 marca 2027"); it is in
#               the nominative, so it stands after ":" or in brackets, never after "w"/"na"
#               ("w środę", "na sobotę" would need another case)
#   $start/$end a session's start and end times (e.g. "10:00")
#   $position   place on the waiting list (1 = next)
#   $count      a number of children
#   $reason     the centre's own note, as the centre wrote it (not translated)
#   $link       a link to the family's bookings
# Register: second person plural, addressed to the family ("Wasze miejsce", "możecie"), with
# "Wy/Wasz/Wam" capitalised as in a letter. A session is "spotkanie", a booking "rezerwacja",
# the crèche "opieka nad dziećmi (w czasie spotkań)".
# "untranslated-check" in en is left out on purpose: it shows that a missing message falls back to English.
# Keep every message short and kind: many families reading these are tired, anxious or reading
# in their second language.

greeting = Dzień dobry,
sign-off = Serdecznie pozdrawiamy, zespół { $venue }

confirm-address = Potwierdź, że to Twój adres e-mail, otwierając ten link (działa tylko raz, przez tydzień): { $confirm } Dopóki tego nie zrobisz, nie będziemy wysyłać Ci przypomnień e-mailem.

## Booking confirmed
booking-confirmed-subject = Wasze miejsce w grupie { $group } jest zarezerwowane
booking-confirmed-intro = Dobra wiadomość: Wasze miejsce w grupie { $group } jest zarezerwowane. Cieszymy się, że niedługo się poznamy.
booking-confirmed-sms = Macie miejsce w grupie { $group }! Pierwsze spotkanie: { $date }, godz. { $start }. { $link }

## Waiting list
booking-waitlisted-subject = Jesteście na liście oczekujących do grupy { $group }
booking-waitlisted-intro = Grupa { $group } jest teraz pełna, więc wpisaliśmy Was na listę oczekujących. Jesteście na niej pod numerem { $position }.
booking-waitlisted-next = Jeśli zwolni się miejsce, będzie Wasze, a my od razu damy Wam znać. Nie musicie nic robić.
booking-waitlisted-sms = Grupa { $group } jest pełna. Jesteście { $position }. na liście oczekujących. Damy znać, gdy będzie miejsce. { $link }

## A place came up
booking-promoted-subject = Dobra wiadomość: macie miejsce w grupie { $group }
booking-promoted-intro = Zwolniło się miejsce w grupie { $group } i teraz jest Wasze. Wasza rezerwacja jest potwierdzona.
booking-promoted-sms = Jest dla Was miejsce w grupie { $group }! Pierwsze spotkanie: { $date }, godz. { $start }. { $link }

## Booking cancelled
booking-cancelled-subject = Wasza rezerwacja w grupie { $group } została anulowana
booking-cancelled-intro = Tak jak prosiliście, anulowaliśmy Wasze miejsce w grupie { $group }.
booking-cancelled-by-centre-intro = Przykro nam: centrum anulowało Wasze miejsce w grupie { $group }. Jeśli się tego nie spodziewaliście, skontaktujcie się z nami.
booking-cancelled-next = Zawsze możecie znów zapisać się do grupy. Zapraszamy!
booking-cancelled-sms = Wasze miejsce w grupie { $group } zostało anulowane. { $link }

## A session moved
session-moved-subject = { $group }: zmiana terminu spotkania
session-moved-intro = Jedno z Waszych spotkań w grupie { $group } ma nowy termin.
session-moved-was = Poprzedni termin: { $date }, godz. { $start }.
session-moved-now = Nowy termin: { $date }, godz. { $start }–{ $end }.
session-moved-sms = { $group }: nowy termin spotkania to { $date }, godz. { $start }. { $link }

## A session cancelled
session-cancelled-subject = { $group }: odwołane spotkanie ({ $date })
session-cancelled-intro = Przykro nam: spotkanie grupy { $group } ({ $date }) nie odbędzie się.
session-cancelled-sms = { $group }: spotkanie ({ $date }) nie odbędzie się. { $link }

## The group cancelled
group-cancelled-subject = Grupa { $group } nie odbędzie się
group-cancelled-intro = Bardzo nam przykro: grupa { $group } nie odbędzie się, a Wasza rezerwacja została anulowana.
group-cancelled-next = Bardzo chcielibyśmy zobaczyć Was w innej grupie. Zapytajcie nas albo sprawdźcie, jakie grupy planujemy.
group-cancelled-sms = Przykro nam: grupa { $group } nie odbędzie się. { $link }

## Reminder
reminder-subject = Przypomnienie: { $group }, { $date }, godz. { $start }
reminder-intro = Przypominamy o Waszym spotkaniu w grupie { $group }: { $date }, godz. { $start }–{ $end }.
reminder-cannot-come = Jeśli nie możecie przyjść, nic nie szkodzi: dajcie nam znać. Na kolejne spotkanie zapraszamy jak zwykle.
reminder-opt-out = Te przypomnienia możecie wyłączyć w swoim profilu.
reminder-sms = Przypomnienie: { $group }, { $date }, godz. { $start }, { $venue }. { $link }

## To the group's team
team-group-cancelled-subject = Grupa { $group } została odwołana
team-group-cancelled-intro = Grupa { $group } ({ $venue }) została odwołana i nie odbędzie się. Pozostałe spotkania tej grupy nie wymagają już Twojej obecności.
team-group-cancelled-sms = Grupa { $group } ({ $venue }) została odwołana i nie odbędzie się.
team-session-moved-subject = { $group }: nowy termin spotkania, przy którym pracujesz
team-session-moved-intro = Spotkanie grupy { $group }, przy którym pracujesz, ma nowy termin.
team-session-moved-sms = { $group }: nowy termin spotkania to { $date }, godz. { $start }.
team-session-cancelled-subject = { $group }: odwołane spotkanie ({ $date })
team-session-cancelled-intro = Spotkanie grupy { $group } ({ $date }) nie odbędzie się, więc tego dnia Twoja obecność nie jest potrzebna.
team-session-cancelled-sms = { $group }: spotkanie ({ $date }) nie odbędzie się.
team-families-told = Rodziny zostały już powiadomione.

## Parts of several messages
reason = Informacja od centrum: { $reason }
sessions-heading = Wasze spotkania:
session-line = { $date }, godz. { $start }–{ $end }
session-line-cancelled = { $date }: nie ma spotkania
where = Miejsce: { $venue }
creche-booked = { $count ->
    [one] Na czas spotkań zarezerwowaliśmy opiekę nad Waszym dzieckiem.
    [few] Na czas spotkań zarezerwowaliśmy opiekę nad Waszymi dziećmi ({ $count } miejsca).
    [many] Na czas spotkań zarezerwowaliśmy opiekę nad Waszymi dziećmi ({ $count } miejsc).
   *[other] Na czas spotkań zarezerwowaliśmy opiekę nad Waszymi dziećmi ({ $count } miejsca).
}
creche-bring = Zabierzcie, proszę, to, czego dziecko będzie potrzebować w czasie opieki, np. pieluszki, coś do picia i ulubioną przytulankę.
calendar-attached = W załączniku wysyłamy plik kalendarza ze spotkaniami. Możecie dodać je do kalendarza w telefonie lub komputerze.
calendar-updated = Plik kalendarza w załączniku zaktualizuje spotkania, które już macie w kalendarzu.
see-bookings = Wasze rezerwacje: { $link }
see-bookings-link = Wasze rezerwacje

## Konta: linki i powiadomienia
account-sign-off = Serdecznie pozdrawiamy, zespół centrum dla dzieci i rodzin
account-link-valid-hours = { $hours ->
    [one] Link działa tylko raz, przez godzinę.
    [few] Link działa tylko raz, przez { $hours } godziny.
   *[other] Link działa tylko raz, przez { $hours } godzin.
}
account-link-valid-days = { $days ->
    [one] Link działa tylko raz, przez jeden dzień.
   *[other] Link działa tylko raz, przez { $days } dni.
}
account-not-you = Jeśli to nie Ty o to prosisz, zignoruj tę wiadomość: nic się nie zmieni.
account-confirm-email-subject = Witamy! Potwierdź swój adres e-mail
account-confirm-email-intro = Witamy! Twoje konto jest gotowe i możesz już zapisać się do grupy.
account-confirm-email-ask = Otwórz link poniżej, aby potwierdzić, że to Twój adres e-mail. Dopóki tego nie zrobisz, nie będziemy wysyłać Ci przypomnień e-mailem.
account-confirm-email-action = Potwierdzam mój adres e-mail
account-confirm-email-sms = Potwierdź adres e-mail swojego konta w centrum dla dzieci i rodzin: { $link }
account-invitation-subject = Zapisy Twojej rodziny są już widoczne online
account-invitation-intro = Centrum dla dzieci i rodzin wpisało dane i zapisy Twojej rodziny do swojego systemu zapisów. Teraz możesz je zobaczyć online i samodzielnie zapisywać się do grup.
account-invitation-ask = Otwórz link poniżej i wybierz hasło. Potem zobaczysz zapisy, które centrum zrobiło dla Ciebie. Jeśli wolisz tego nie robić, nic nie szkodzi: centrum może dalej zapisywać Cię samo.
account-invitation-action = Wybieram hasło
account-invitation-sms = Centrum dla dzieci i rodzin zaprasza Cię do sprawdzenia zapisów online: { $link }
account-password-reset-subject = Wybierz nowe hasło
account-password-reset-intro = Ktoś, prawdopodobnie Ty, poprosił o zmianę hasła do Twojego konta w centrum dla dzieci i rodzin.
account-password-reset-ask = Otwórz link poniżej, aby wybrać nowe hasło. Potem zostaniesz wylogowany(-a) na innych urządzeniach.
account-password-reset-action = Wybieram nowe hasło
account-password-reset-sms = Aby wybrać nowe hasło do konta w centrum dla dzieci i rodzin: { $link }
account-email-change-subject = Potwierdź nowy adres e-mail
account-email-change-intro = Poprosiłeś(-aś) o używanie tego adresu e-mail dla konta w centrum dla dzieci i rodzin.
account-email-change-ask = Otwórz link poniżej, aby go potwierdzić. Do tego czasu konto zachowuje stary adres.
account-email-change-action = Potwierdzam nowy adres
account-email-change-sms = Aby potwierdzić nowy adres e-mail: { $link }
account-email-changed-subject = Twój adres e-mail został zmieniony
account-email-changed-intro = Adres e-mail Twojego konta w centrum dla dzieci i rodzin to teraz { $email }. Od teraz będziemy pisać na ten adres.
account-email-changed-ask = Jeśli to nie Ty zmieniłeś(-aś) adres, zadzwoń od razu do centrum.
account-email-changed-sms = Adres e-mail Twojego konta w centrum dla dzieci i rodzin został zmieniony. Jeśli to nie Ty, zadzwoń do centrum.
account-password-changed-subject = Twoje hasło zostało zmienione
account-password-changed-intro = Hasło do Twojego konta w centrum dla dzieci i rodzin zostało zmienione, a Ty zostałeś(-aś) wylogowany(-a) na innych urządzeniach.
account-password-changed-ask = Jeśli to nie Ty zmieniłeś(-aś) hasło, wybierz teraz nowe przez „Nie pamiętasz hasła?” albo zadzwoń do centrum.
account-password-changed-sms = Hasło do Twojego konta w centrum dla dzieci i rodzin zostało zmienione. Jeśli to nie Ty, zadzwoń do centrum.

## Zdarzenie w czasie opieki nad dziećmi ($child imię dziecka, $date i $time kiedy, $what co się
## stało i $first_aid udzielona pierwsza pomoc, tak jak je zapisały opiekunki i opiekunowie)
creche-incident-subject = Informacja z opieki nad dziećmi ({ $child })
creche-incident-intro = Chcemy Wam powiedzieć o tym, co przydarzyło się Waszemu dziecku ({ $child }) w czasie opieki podczas spotkania grupy { $group } ({ $date }, godz. { $time }).
creche-incident-what = Co się stało: { $what }
creche-incident-first-aid = Udzielona pierwsza pomoc: { $first_aid }
creche-incident-no-first-aid = Nie udzielano pierwszej pomocy.
creche-incident-ask = Jeśli macie pytania albo później zauważycie coś niepokojącego, porozmawiajcie, proszę, z osobami opiekującymi się dziećmi lub zadzwońcie do centrum.
creche-incident-see = Tę informację znajdziecie na swoim koncie, gdzie możecie też potwierdzić, że ją przeczytaliście: { $link }
creche-incident-see-link = Informacja na Waszym koncie
creche-incident-sms = { $group }: mamy dla Was informację z opieki nad dzieckiem ({ $date }). Przeczytajcie ją na swoim koncie: { $link }
