# As páginas públicas do programa: o que uma família vê no site de um centro, em palavras simples.

page-site-name = Grupos para pais e bebés
page-skip = Ir para os grupos
page-language = Língua
page-programme-title = Grupos para pais e bebés neste período
page-programme-intro = Grupos gratuitos para pais e cuidadores com bebés e crianças pequenas. Escolha um grupo para ver as datas e reservar um lugar.
page-filter-heading = Encontrar um grupo
page-filter-ward = Zona (freguesia)
page-filter-venue = Centro infantil ou local
page-filter-programme = Tipo de grupo
page-filter-any = Qualquer
page-filter-has-places = Só grupos com lugares livres
page-filter-has-creche = Só grupos com lugares livres na creche
page-filter-submit = Mostrar grupos
page-count = { $count ->
    [0] Nenhum grupo corresponde.
    [one] 1 grupo
   *[other] { $count } grupos
}
page-none = Nenhum grupo corresponde ao que escolheu. Experimente menos opções, ou ligue-nos e ajudamos a encontrar um.
page-first-session = Começa
page-time = Hora
page-sessions = Sessões
page-session-count = { $count ->
    [one] 1 sessão, uma vez por semana
   *[other] { $count } sessões, uma vez por semana
}
page-where = Onde
page-places = Lugares
page-places-left = { $count ->
    [0] Cheio: pode entrar na lista de espera
    [one] Falta 1 lugar
   *[other] Faltam { $count } lugares
}
page-creche = Creche
page-creche-none = Este grupo não tem creche
page-creche-left = { $count ->
    [0] A creche está cheia
    [one] Falta 1 lugar na creche
   *[other] Faltam { $count } lugares na creche
}
page-creche-by-age = Menos de 2 anos: { $under2 }. 2 anos: { $age2 }. 3 anos ou mais: { $age3 }.
page-see-group = Datas e reserva
page-calendar = Adicionar todos os grupos ao seu calendário
page-group-calendar = Adicionar estas datas ao seu calendário
page-book = Reservar um lugar
page-book-closed = As reservas para este grupo já fecharam. Ligue-nos e falamos-lhe do próximo.
page-call = Prefere falar com alguém? Ligue para { $phone }.
page-call-centre = Prefere falar com alguém? Ligue para o seu centro infantil.
page-dates = Datas
page-session-number = Sessão { $number }
page-session-cancelled = Cancelada: não há grupo neste dia
page-no-group-bank-holiday = Não há grupo esta semana: feriado
page-no-group-closed = Não há grupo esta semana: o centro está fechado
page-no-group = Não há grupo esta semana
page-access = Como chegar e acessibilidade
page-map = Mapa de { $venue } (OpenStreetMap)
page-back = Todos os grupos
page-print = Imprimir o programa
page-print-title = Grupos para pais e bebés
page-print-scan = Leia o código para ver as datas e reservar
page-print-venue = Em { $venue }
page-footer = Grupos gratuitos organizados pelos centros infantis. Esta página não guarda nenhum registo seu.
page-pages = Páginas de grupos
page-of = Página { $page } de { $pages }
page-previous = Página anterior
page-next = Página seguinte
